/**
 * Events of a `minch` session and their two renderings (pure): human lines
 * (frames for stdout, status for stderr) and JSON lines. Nothing here sees
 * header values unless the caller put them in an event for --verbose.
 */
import type { DisconnectReason, Frame } from '../index.js';

export type Encoding = 'hex' | 'base64';

export type CliEvent =
  | { type: 'state'; state: 'connecting'; url: string; retry: number }
  | {
      type: 'state';
      state: 'open';
      url: string;
      protocol: string;
      status?: number;
      headers?: Record<string, string | string[]>;
    }
  | {
      type: 'state';
      state: 'backoff';
      backoffMs: number;
      nextAttemptAt: number;
      attempt: number;
      reason: DisconnectReason | null;
    }
  | { type: 'state'; state: 'closing' }
  | {
      type: 'state';
      state: 'stopped';
      exitCode: number;
      reason: string;
      lastClose: { code: number; reason: string } | null;
    }
  | { type: 'frame'; frame: 'text'; data: string }
  | { type: 'frame'; frame: 'binary' | 'pong'; length: number; encoding: Encoding; data: string }
  | { type: 'sent'; frame: 'text'; length: number; queued: boolean }
  | { type: 'disconnect'; reason: DisconnectReason; attempt: number; reconnect: boolean }
  | { type: 'error'; message: string }
  | { type: 'warning'; message: string }
  | { type: 'info'; message: string };

/** A human line and where it goes: frames to stdout, the rest to stderr. */
export interface HumanLine {
  stream: 'out' | 'err';
  text: string;
}

export function encodeBytes(bytes: Uint8Array, encoding: Encoding): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(encoding);
}

/** The event for a received frame (text, binary or pong); null for others. */
export function frameEvent(frame: Frame, encoding: Encoding): CliEvent | null {
  switch (frame.type) {
    case 'text':
      return { type: 'frame', frame: 'text', data: frame.data };
    case 'binary':
    case 'pong': {
      const data = frame.data ?? new Uint8Array(0);
      return { type: 'frame', frame: frame.type, length: data.byteLength, encoding, data: encodeBytes(data, encoding) };
    }
    default:
      return null;
  }
}

/** The disconnect event; response headers of a failed upgrade only with --verbose. */
export function disconnectEvent(
  reason: DisconnectReason,
  attempt: number,
  reconnect: boolean,
  verbose: boolean,
): CliEvent {
  const shown: DisconnectReason = reason.type === 'upgrade_failed' && !verbose ? { ...reason, headers: {} } : reason;
  return { type: 'disconnect', reason: shown, attempt, reconnect };
}

/** `closed 1006 (why)`, `connect_error econnrefused (...)`, `upgrade_failed 401`, `heartbeat_timeout`. */
export function describeReason(reason: DisconnectReason): string {
  switch (reason.type) {
    case 'closed':
      return `closed ${reason.code}${reason.reason ? ` (${reason.reason})` : ''}`;
    case 'connect_error':
      return `connect_error ${reason.reason}${reason.message ? ` (${reason.message})` : ''}`;
    case 'upgrade_failed':
      return `upgrade_failed: HTTP ${reason.status}`;
    case 'heartbeat_timeout':
      return 'heartbeat_timeout (no answer to a ping in time)';
  }
}

/** `200 ms`, `1.8 s`, `12 s`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 1000)} s`;
}

/** The in-place countdown line of a terminal while in backoff. */
export function formatCountdown(remainingMs: number): string {
  return `* backoff: reconnecting in ${formatMs(remainingMs)}`;
}

function headerLines(headers: Record<string, string | string[]>): string {
  return Object.entries(headers)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `\n*   ${k}: ${x}`))
    .join('');
}

/** The human rendering of an event, or null when it shows nothing. */
export function formatHuman(event: CliEvent): HumanLine | null {
  const err = (text: string): HumanLine => ({ stream: 'err', text });
  switch (event.type) {
    case 'frame':
      if (event.frame === 'text') return { stream: 'out', text: `< ${event.data}` };
      if (event.frame === 'pong') return { stream: 'out', text: `< [pong]${event.length > 0 ? ` ${event.data}` : ''}` };
      return {
        stream: 'out',
        text:
          `< [binary ${event.length} byte${event.length === 1 ? '' : 's'}]` +
          `${event.length > 0 ? ` ${event.data}` : ''}`,
      };
    case 'sent':
      return null; // the terminal shows what was typed
    case 'disconnect':
      return err(
        `* disconnected: ${describeReason(event.reason)}, attempt ${event.attempt}` +
          `${event.reconnect ? '' : ', not reconnecting'}`,
      );
    case 'error':
      return err(`! error: ${event.message}`);
    case 'warning':
      return err(`! warning: ${event.message}`);
    case 'info':
      return err(`* ${event.message}`);
    case 'state':
      switch (event.state) {
        case 'connecting':
          return err(`* connecting ${event.url}${event.retry > 0 ? ` (retry ${event.retry})` : ''}`);
        case 'open': {
          const head = `* open${event.protocol ? ` (protocol: ${event.protocol})` : ''}`;
          return err(
            event.headers === undefined
              ? head
              : `${head}\n* response ${event.status ?? 101}:${headerLines(event.headers)}`,
          );
        }
        case 'backoff':
          return err(formatCountdown(event.backoffMs));
        case 'closing':
          return err('* closing');
        case 'stopped': {
          const close = event.lastClose === null ? '' : ` (close ${event.lastClose.code})`;
          return err(`* stopped${event.reason === 'normal' ? close : `: ${event.reason}`}`);
        }
      }
  }
}

/** One JSON line per event. */
export function formatJson(event: CliEvent): string {
  return JSON.stringify(event);
}
