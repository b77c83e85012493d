/**
 * Where the runtime publishes its diagnostics_channel messages (see
 * src/diagnostics.ts). Each function checks its channel first, so nothing is
 * built when nobody listens; the timestamps it needs are taken regardless,
 * so a subscriber that arrives late still gets true durations.
 */
import { utf8Length } from '../core/frames.js';
import { channels, disconnectFields, stopReasonName, type ClientMessage, type FrameMessage } from '../diagnostics.js';
import type { DisconnectReason, Frame } from '../types.js';
import type { ClientRuntime } from './clientRuntime.js';

const now = (): number => performance.now();

function from(rt: ClientRuntime): ClientMessage {
  const actor = rt.actor as { systemId?: string; id?: string } | null;
  return { client: actor?.systemId ?? actor?.id ?? '', url: rt.url };
}

/** The machine asked `connect(state)`: an attempt starts, its URL not yet known. */
export function attemptStarting(rt: ClientRuntime): void {
  rt.attemptAt = now();
  rt.url = null;
}

/** The attempt's socket is being opened. */
export function attempt(rt: ClientRuntime, generation: number): void {
  if (channels.attempt.hasSubscribers) channels.attempt.publish({ ...from(rt), generation });
}

export function opened(rt: ClientRuntime, protocol: string): void {
  rt.openAt = now();
  if (channels.open.hasSubscribers) {
    channels.open.publish({ ...from(rt), handshakeMs: rt.openAt - rt.attemptAt, protocol });
  }
}

/** An attempt or a connection ended, and `handleDisconnect` is asked with `attempt`. */
export function ended(rt: ClientRuntime, reason: DisconnectReason, attempt: number): void {
  const opened = rt.openAt !== 0;
  const durationMs = now() - (opened ? rt.openAt : rt.attemptAt);
  rt.openAt = 0;
  rt.attempt = attempt;
  if (channels.disconnect.hasSubscribers) {
    channels.disconnect.publish({ ...from(rt), ...disconnectFields(reason), attempt, opened, durationMs });
  }
  if (reason.type === 'heartbeat_timeout' && channels.heartbeat.hasSubscribers) {
    channels.heartbeat.publish({ ...from(rt), outcome: 'timeout' });
  }
}

export function reconnecting(rt: ClientRuntime, delayMs: number): void {
  if (channels.reconnect.hasSubscribers) channels.reconnect.publish({ ...from(rt), delayMs, attempt: rt.attempt });
}

export function answered(rt: ClientRuntime): void {
  if (channels.heartbeat.hasSubscribers) {
    channels.heartbeat.publish({ ...from(rt), outcome: 'answered', rttMs: now() - rt.probeAt });
  }
}

/** The client stopped (once): `terminate` runs, or the actor ended without it. */
export function stopped(rt: ClientRuntime, reason: unknown): void {
  if (rt.stopPublished) return;
  rt.stopPublished = true;
  const wasOpen = rt.openAt !== 0;
  rt.openAt = 0;
  if (channels.stop.hasSubscribers) channels.stop.publish({ ...from(rt), reason: stopReasonName(reason), wasOpen });
}

/** A frame message: a literal of one shape (a spread would give every message a hidden class of its own). */
function frame(rt: ClientRuntime, f: Frame, bytes: number): FrameMessage {
  const actor = rt.actor as { systemId?: string; id?: string } | null;
  return { client: actor?.systemId ?? actor?.id ?? '', url: rt.url, type: f.type, bytes };
}

/** Node's native UTF-8 length where there is one (no import: browsers publish nothing anyway). */
const byteLength = (globalThis as { Buffer?: { byteLength(s: string): number } }).Buffer?.byteLength ?? utf8Length;

/** Called only when the channel has subscribers. */
export function frameSent(rt: ClientRuntime, f: Frame): void {
  const bytes = f.type === 'text' ? byteLength(f.data) : f.type === 'close' ? 0 : (f.data?.byteLength ?? 0);
  channels.frameSent.publish(frame(rt, f, bytes));
}

/** Called only when the channel has subscribers. */
export function frameReceived(rt: ClientRuntime, f: Frame, bytes: number): void {
  channels.frameReceived.publish(frame(rt, f, bytes));
}
