/**
 * Where the runtime publishes its diagnostics_channel messages (see
 * src/diagnostics.ts). Each function checks its channel first, so nothing is
 * built when nobody listens; the timestamps and the count of open
 * connections are kept regardless, so a subscriber that arrives late still
 * gets true durations and a true count.
 */
import { utf8Length } from '../core/frames.js';
import {
  bindChannels,
  channels,
  disconnectFields,
  stopReasonName,
  type ChannelModule,
  type ClientMessage,
  type FrameMessage,
} from '../diagnostics.js';
import type { DisconnectReason, Frame } from '../types.js';
import type { ClientRuntime } from './clientRuntime.js';

// Found at run time (process.getBuiltinModule, in every Node release package.json's engines
// allows), never imported, so no bundle sees a Node module; browser bundles get
// telemetry.browser.js, and no channels.
const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
const builtin = process?.getBuiltinModule?.('node:diagnostics_channel') as ChannelModule | undefined;
if (builtin !== undefined) bindChannels(builtin);

const now = (): number => performance.now();

/** Connections open now, across every client of this process. */
let openNow = 0;
export const openConnections = (): number => openNow;

type Observed = {
  systemId?: string;
  id?: string;
  getSnapshot(): { context?: { url?: string | null } };
};

/** The client's name: its `systemId`, or its actor id. */
function clientName(rt: ClientRuntime): string {
  const actor = rt.actor as Observed | null;
  return actor?.systemId ?? actor?.id ?? '';
}
/** The redacted URL of the attempt, as the snapshot shows it (never kept twice). */
const urlOf = (rt: ClientRuntime): string | null => (rt.actor as Observed | null)?.getSnapshot().context?.url ?? null;

function from(rt: ClientRuntime, url = urlOf(rt)): ClientMessage {
  return { client: clientName(rt), url };
}

/** The connection (if one was open) is over: it no longer counts, and its start is forgotten. */
function closed(rt: ClientRuntime): boolean {
  const wasOpen = rt.openAt !== 0;
  if (wasOpen) openNow--;
  rt.openAt = 0;
  return wasOpen;
}

/** The machine asked `connect(state)`: an attempt starts, its URL not yet known. */
export function attemptStarting(rt: ClientRuntime): void {
  rt.attemptAt = now();
}

/** The attempt's socket is being opened (inside the transition that records `url`, so it is passed). */
export function attempt(rt: ClientRuntime, generation: number, url: string): void {
  if (channels.attempt.hasSubscribers) channels.attempt.publish({ ...from(rt, url), generation });
}

export function opened(rt: ClientRuntime, protocol: string): void {
  rt.openAt = now();
  openNow++;
  const handshakeMs = rt.openAt - rt.attemptAt;
  rt.attemptAt = 0;
  if (channels.open.hasSubscribers) channels.open.publish({ ...from(rt), handshakeMs, protocol });
}

/** An attempt or a connection ended, and `handleDisconnect` is asked with `attempt`. */
export function ended(rt: ClientRuntime, reason: DisconnectReason, attempt: number): void {
  const durationMs = now() - (rt.openAt !== 0 ? rt.openAt : rt.attemptAt);
  const opened = closed(rt);
  rt.attemptAt = 0;
  if (channels.disconnect.hasSubscribers) {
    channels.disconnect.publish({ ...from(rt), ...disconnectFields(reason), attempt, opened, durationMs });
  }
  if (reason.type === 'heartbeat_timeout' && channels.heartbeat.hasSubscribers) {
    channels.heartbeat.publish({ ...from(rt), outcome: 'timeout' });
  }
}

/** The machine took `handleDisconnect`'s reconnect (one that comes after a stop never gets here). */
export function reconnecting(rt: ClientRuntime, delayMs: number, attempt: number): void {
  if (channels.reconnect.hasSubscribers) channels.reconnect.publish({ ...from(rt), delayMs, attempt });
}

/** A frame arrived while a probe was outstanding. */
export function answered(rt: ClientRuntime): void {
  if (channels.heartbeat.hasSubscribers) {
    channels.heartbeat.publish({ ...from(rt), outcome: 'answered', rttMs: now() - rt.probeAt });
  }
}

/** The client stopped (once): `terminate` runs, or the actor ended without it. */
export function stopped(rt: ClientRuntime, reason: unknown): void {
  if (rt.stopPublished) return;
  rt.stopPublished = true;
  const connectingMs = rt.attemptAt === 0 ? undefined : now() - rt.attemptAt;
  rt.attemptAt = 0;
  const wasOpen = closed(rt);
  if (!channels.stop.hasSubscribers) return;
  const message = { ...from(rt), reason: stopReasonName(reason), wasOpen };
  channels.stop.publish(connectingMs === undefined ? message : { ...message, connectingMs });
}

/** A frame message: a literal of one shape (a spread would give every message a hidden class of its own). */
function frame(rt: ClientRuntime, f: Frame, bytes: number): FrameMessage {
  return { client: clientName(rt), url: urlOf(rt), type: f.type, bytes };
}

/** Node's native UTF-8 length where there is one (no import: browsers publish nothing anyway). */
const byteLength = (globalThis as { Buffer?: { byteLength(s: string): number } }).Buffer?.byteLength ?? utf8Length;

/** The payload size of a frame as it goes on the wire. */
function payloadBytes(f: Frame): number {
  if (f.type === 'text') return byteLength(f.data);
  if (f.type === 'close') return f.code === undefined ? 0 : 2 + byteLength(f.reason ?? '');
  return f.data?.byteLength ?? 0;
}

/** Called only when the channel has subscribers; `bytes` when the frame's own data does not say. */
export function frameSent(rt: ClientRuntime, f: Frame, bytes = payloadBytes(f)): void {
  channels.frameSent.publish(frame(rt, f, bytes));
}

/** Called only when the channel has subscribers. */
export function frameReceived(rt: ClientRuntime, f: Frame, bytes: number): void {
  channels.frameReceived.publish(frame(rt, f, bytes));
}
