/**
 * Option defaults and validation (pure). All defaults live here.
 */
import { either as E } from 'fp-ts';
import type { HeartbeatOptions } from '../types.js';
import { normalizeFrame } from './frames.js';

export const DEFAULTS = {
  /** Handshake timeout of each attempt of a client actor. */
  connectTimeoutMs: 10_000,
  /** Handshake timeout of the simple client's `connect()`. */
  simpleConnectTimeoutMs: 30_000,
  /** How long to wait for the server's close frame before terminating the socket. */
  closeTimeoutMs: 5_000,
  /** Protocol pings in Node; browsers have none unless configured. */
  heartbeat: { intervalMs: 20_000, timeoutMs: 20_000 } as HeartbeatOptions,
  /** A connection must stay open this long to reset the attempt count. */
  minUptimeMs: 0,
  /** Largest message accepted from the server (ws' own default is 100 MiB). */
  maxPayload: 16 * 1024 * 1024,
} as const;

/** The timing options of a client after defaults and checks. */
export interface ResolvedTimings {
  connectTimeoutMs: number;
  closeTimeoutMs: number;
  heartbeat: HeartbeatOptions | false;
  minUptimeMs: number;
  /** Listen to the browser's online/offline and visibility events. */
  watchEnvironment?: boolean;
}

function checkMs(name: string, value: unknown, fallback: number): E.Either<string, number> {
  if (value === undefined) return E.right(fallback);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 2_147_483_647) {
    return E.left(`${name} must be a number of milliseconds between 0 and 2147483647, got ${String(value)}`);
  }
  return E.right(value);
}

/**
 * Applies defaults and checks the timing options.
 * `heartbeatDefault` differs by runtime: on in Node, off in browsers.
 */
export function resolveTimings(
  options: { connectTimeoutMs?: unknown; closeTimeoutMs?: unknown; heartbeat?: unknown; minUptimeMs?: unknown },
  defaults: { connectTimeoutMs: number; heartbeat: HeartbeatOptions | false; canPing?: boolean },
): E.Either<string, ResolvedTimings> {
  const connect = checkMs('connectTimeoutMs', options.connectTimeoutMs, defaults.connectTimeoutMs);
  if (E.isLeft(connect)) return connect;
  const close = checkMs('closeTimeoutMs', options.closeTimeoutMs, DEFAULTS.closeTimeoutMs);
  if (E.isLeft(close)) return close;
  const uptime = checkMs('minUptimeMs', options.minUptimeMs, DEFAULTS.minUptimeMs);
  if (E.isLeft(uptime)) return uptime;
  let heartbeat: HeartbeatOptions | false = defaults.heartbeat;
  const hb = options.heartbeat;
  if (hb === false) heartbeat = false;
  else if (hb !== undefined) {
    if (typeof hb !== 'object' || hb === null) return E.left('heartbeat must be { intervalMs, timeoutMs } or false');
    const h = hb as { intervalMs?: unknown; timeoutMs?: unknown };
    const interval = checkMs('heartbeat.intervalMs', h.intervalMs, NaN);
    if (E.isLeft(interval) || !(interval.right > 0)) return E.left('heartbeat.intervalMs must be a number of milliseconds > 0');
    const timeout = checkMs('heartbeat.timeoutMs', h.timeoutMs, NaN);
    if (E.isLeft(timeout) || !(timeout.right > 0)) return E.left('heartbeat.timeoutMs must be a number of milliseconds > 0');
    const frame = (hb as HeartbeatOptions).frame;
    if (frame !== undefined) {
      const checked = normalizeFrame(frame);
      if (E.isLeft(checked)) return E.left(`heartbeat.frame is not a valid frame: ${checked.left.type === 'invalid_frame' ? checked.left.message : checked.left.type}`);
      if (checked.right.type === 'close') return E.left('heartbeat.frame cannot be a close frame');
    }
    if (frame === undefined && defaults.canPing === false) {
      return E.left('heartbeat needs a frame in browsers, which cannot send pings: heartbeat: { intervalMs, timeoutMs, frame: { type: "text", data: "ping" } }');
    }
    heartbeat = { intervalMs: interval.right, timeoutMs: timeout.right, ...(frame !== undefined && { frame }) };
  }
  return E.right({ connectTimeoutMs: connect.right, closeTimeoutMs: close.right, heartbeat, minUptimeMs: uptime.right });
}
