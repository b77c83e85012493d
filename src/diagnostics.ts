/**
 * Lifecycle and frame events on Node's `diagnostics_channel`, the convention
 * for a library's telemetry (undici publishes `undici:websocket:open` and the
 * like). `minch/otel` turns them into OpenTelemetry metrics; anything else may
 * subscribe too.
 *
 * - Free when nobody listens: a message is built only when its channel has
 *   subscribers.
 * - No secrets: messages carry the client's name, the redacted URL, reason
 *   types, codes, sizes and durations; never headers, query strings,
 *   credentials or payloads.
 * - Browsers have no `diagnostics_channel`: nothing is published there, and
 *   nothing imports a Node module (src/runtime/telemetry.ts looks it up at run
 *   time).
 */
import type { DisconnectReason, Frame } from './types.js';

/** The channel names, one per event. */
export const MINCH_CHANNELS = {
  /** A connection attempt starts: its socket is being opened. */
  attempt: 'minch:client:attempt',
  /** The upgrade succeeded. */
  open: 'minch:client:open',
  /** An attempt ended, or an open connection did: `handleDisconnect` is asked. */
  disconnect: 'minch:client:disconnect',
  /** `handleDisconnect` chose to reconnect after a delay. */
  reconnect: 'minch:client:reconnect',
  /** A heartbeat probe was answered, or was not. */
  heartbeat: 'minch:client:heartbeat',
  /** The client stopped. */
  stop: 'minch:client:stop',
  /** A frame was handed to the socket. */
  frameSent: 'minch:client:frame:sent',
  /** A frame arrived for `handleFrame`. */
  frameReceived: 'minch:client:frame:received',
} as const;

/** What every message carries: the client's `systemId` (or its actor id) and its redacted URL. */
export interface ClientMessage {
  /** The client's `systemId`, or its actor id when it has none. */
  client: string;
  /** Scheme, host, port and path; user-info and the query string are never included. */
  url: string | null;
}

/** The message on `MINCH_CHANNELS.attempt`. */
export interface AttemptMessage extends ClientMessage {
  /** Counts the attempts of this client, from 1. */
  generation: number;
}

/** The message on `MINCH_CHANNELS.open`. */
export interface OpenMessage extends ClientMessage {
  /** From the machine asking `connect(state)` (an async one included) to the end of the opening handshake. */
  handshakeMs: number;
  /** The subprotocol the server chose, or `''`. */
  protocol: string;
}

/** The message on `MINCH_CHANNELS.disconnect`. */
export interface DisconnectMessage extends ClientMessage {
  /** The `DisconnectReason`'s type. */
  reason: DisconnectReason['type'];
  /** The close code (`closed`) or the HTTP status (`upgrade_failed`). */
  code?: number;
  /** The short code of a `connect_error`, such as `'econnrefused'` or `'timeout'`. */
  error?: string;
  /** The attempt number `handleDisconnect` is given. */
  attempt: number;
  /** True when the connection had opened. */
  opened: boolean;
  /** How long the connection was open, or how long the failed attempt took. */
  durationMs: number;
}

/** The message on `MINCH_CHANNELS.reconnect`. */
export interface ReconnectMessage extends ClientMessage {
  /** The delay `handleDisconnect` chose, in milliseconds. */
  delayMs: number;
  /** The attempt number `handleDisconnect` was given. */
  attempt: number;
}

/** The message on `MINCH_CHANNELS.heartbeat`. */
export interface HeartbeatMessage extends ClientMessage {
  /** `'answered'`: a frame arrived after the probe; `'timeout'`: none did within `timeoutMs`. */
  outcome: 'answered' | 'timeout';
  /** From the probe to the first frame after it; absent on a timeout. */
  rttMs?: number;
}

/** The message on `MINCH_CHANNELS.stop`. */
export interface StopMessage extends ClientMessage {
  /**
   * `'normal'`, `'shutdown'`, `'aborted'`, an error type, `'stopped'` (XState's own `stop()`),
   * `'error'` (the actor failed), or `'other'` for a reason of the user's own.
   */
  reason: string;
  /** True when a connection was open until the stop closed it. */
  wasOpen: boolean;
  /** When the stop abandoned an attempt still connecting: how long it had run. */
  connectingMs?: number;
}

/** The message on `MINCH_CHANNELS.frameSent` and `MINCH_CHANNELS.frameReceived`. */
export interface FrameMessage extends ClientMessage {
  /** The frame's type. */
  type: Frame['type'];
  /** Payload bytes (UTF-8 for text). */
  bytes: number;
}

/** The part of a `diagnostics_channel` channel that is used here. */
export interface Channel {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}

/** The part of Node's `diagnostics_channel` module that is used here. */
export interface ChannelModule {
  channel(name: string): Channel;
}

const NOWHERE: Channel = { hasSubscribers: false, publish() {} };

/** The channels, by event; until `bindChannels` (or in browsers) they never have subscribers. */
export const channels: { -readonly [K in keyof typeof MINCH_CHANNELS]: Channel } = {
  attempt: NOWHERE,
  open: NOWHERE,
  disconnect: NOWHERE,
  reconnect: NOWHERE,
  heartbeat: NOWHERE,
  stop: NOWHERE,
  frameSent: NOWHERE,
  frameReceived: NOWHERE,
};

/** Publishes on `module`'s channels from now on. `minch/otel` calls it with its own import. */
export function bindChannels(module: ChannelModule): void {
  for (const key of Object.keys(MINCH_CHANNELS) as (keyof typeof MINCH_CHANNELS)[]) {
    channels[key] = module.channel(MINCH_CHANNELS[key]);
  }
}

const STOP_TYPES = new Set([
  'aborted',
  'max_restarts',
  'callback_error',
  'invalid_result',
  'send_error',
  'stopped',
  'error',
]);

/** A stop reason as a message may carry it: never the text of a reason of the user's own. */
export function stopReasonName(reason: unknown): string {
  if (reason === 'normal' || reason === 'shutdown') return reason;
  const type = typeof reason === 'object' && reason !== null ? (reason as { type?: unknown }).type : undefined;
  return typeof type === 'string' && STOP_TYPES.has(type) ? type : 'other';
}

/** The fields of a disconnect message that come from its reason. */
export function disconnectFields(reason: DisconnectReason): Pick<DisconnectMessage, 'reason' | 'code' | 'error'> {
  switch (reason.type) {
    case 'closed':
      return { reason: reason.type, code: reason.code };
    case 'upgrade_failed':
      return { reason: reason.type, code: reason.status };
    case 'connect_error':
      return { reason: reason.type, error: reason.reason };
    default:
      return { reason: reason.type };
  }
}
