/**
 * Every option default and every option check (pure). Other modules read their
 * defaults from `DEFAULTS` and validate through the functions here, so a
 * default or a rule is written once.
 */
import * as E from './either.js';
import type { HeartbeatOptions, Logger, MinchClient, OutboxOptions, WebSocketClass } from '../types.js';
import { normalizeFrame, validateClose } from './frames.js';

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
  /** Frames the simple client keeps for `receiveFrame` before it pauses reading. */
  maxBufferedFrames: 10_000,
  /** The close frame of `close(target)` and of a stop. */
  closeCode: 1000,
  /** `backoff(attempt)`: Elixir Minch's numbers. */
  backoff: { min: 200, max: 30_000, factor: 2 },
} as const;

/** The timing options of a client after defaults and checks: `snapshot.context.timings`. */
export interface ResolvedTimings {
  /** `connectTimeoutMs` of `MinchActorOptions`, or its default. */
  connectTimeoutMs: number;
  /** `closeTimeoutMs` of `MinchActorOptions`, or its default. */
  closeTimeoutMs: number;
  /** `heartbeat` of `MinchActorOptions`, or the platform's default (`false` in browsers). */
  heartbeat: HeartbeatOptions | false;
  /** `minUptimeMs` of `MinchActorOptions`, or its default. */
  minUptimeMs: number;
  /** Listen to the browser's online/offline and visibility events. */
  watchEnvironment?: boolean;
}

/** What the runtime decides: its defaults differ between Node and browsers. */
export interface RuntimeDefaults {
  connectTimeoutMs: number;
  heartbeat: HeartbeatOptions | false;
  /** False in browsers, which cannot send pings: a heartbeat there needs a frame. */
  canPing?: boolean;
  /** True in browsers: watch online/offline and page visibility. */
  watchEnvironment?: boolean;
}

function checkMs(name: string, value: unknown, fallback: number): E.Either<string, number> {
  if (value === undefined) return E.right(fallback);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 2_147_483_647) {
    return E.left(`${name} must be a number of milliseconds between 0 and 2147483647, got ${String(value)}`);
  }
  return E.right(value);
}

function checkHeartbeat(hb: unknown, defaults: RuntimeDefaults): E.Either<string, HeartbeatOptions | false> {
  if (hb === undefined) return E.right(defaults.heartbeat);
  if (hb === false) return E.right(false);
  if (typeof hb !== 'object' || hb === null) return E.left('heartbeat must be { intervalMs, timeoutMs } or false');
  const h = hb as { intervalMs?: unknown; timeoutMs?: unknown; frame?: HeartbeatOptions['frame'] };
  const interval = checkMs('heartbeat.intervalMs', h.intervalMs, NaN);
  if (E.isLeft(interval) || !(interval.right > 0))
    return E.left('heartbeat.intervalMs must be a number of milliseconds > 0');
  const timeout = checkMs('heartbeat.timeoutMs', h.timeoutMs, NaN);
  if (E.isLeft(timeout) || !(timeout.right > 0))
    return E.left('heartbeat.timeoutMs must be a number of milliseconds > 0');
  const frame = h.frame;
  if (frame !== undefined) {
    const checked = normalizeFrame(frame);
    if (E.isLeft(checked)) {
      const why = checked.left.type === 'invalid_frame' ? checked.left.message : checked.left.type;
      return E.left(`heartbeat.frame is not a valid frame: ${why}`);
    }
    if (checked.right.type === 'close') return E.left('heartbeat.frame cannot be a close frame');
    if (defaults.canPing === false && checked.right.type !== 'text' && checked.right.type !== 'binary') {
      return E.left(`heartbeat.frame cannot be a ${checked.right.type} in browsers, which cannot send one`);
    }
    return E.right({ intervalMs: interval.right, timeoutMs: timeout.right, frame: checked.right });
  }
  if (defaults.canPing === false) {
    return E.left(
      'heartbeat needs a frame in browsers, which cannot send pings: ' +
        'heartbeat: { intervalMs, timeoutMs, frame: { type: "text", data: "ping" } }',
    );
  }
  return E.right({ intervalMs: interval.right, timeoutMs: timeout.right });
}

/**
 * Applies defaults and checks the timing options.
 * `defaults` differ by runtime: the heartbeat is on in Node, off in browsers.
 */
export function resolveTimings(
  options: { connectTimeoutMs?: unknown; closeTimeoutMs?: unknown; heartbeat?: unknown; minUptimeMs?: unknown },
  defaults: RuntimeDefaults,
): E.Either<string, ResolvedTimings> {
  const connect = checkMs('connectTimeoutMs', options.connectTimeoutMs, defaults.connectTimeoutMs);
  if (E.isLeft(connect)) return connect;
  const close = checkMs('closeTimeoutMs', options.closeTimeoutMs, DEFAULTS.closeTimeoutMs);
  if (E.isLeft(close)) return close;
  const uptime = checkMs('minUptimeMs', options.minUptimeMs, DEFAULTS.minUptimeMs);
  if (E.isLeft(uptime)) return uptime;
  const heartbeat = checkHeartbeat(options.heartbeat, defaults);
  if (E.isLeft(heartbeat)) return heartbeat;
  const timings: ResolvedTimings = {
    connectTimeoutMs: connect.right,
    closeTimeoutMs: close.right,
    heartbeat: heartbeat.right,
    minUptimeMs: uptime.right,
  };
  if (defaults.watchEnvironment === true) timings.watchEnvironment = true;
  return E.right(timings);
}

/** The options `createMinchActor` takes; anything else is a typo. */
export const ACTOR_OPTION_KEYS: ReadonlySet<string> = new Set(
  'connectTimeoutMs closeTimeoutMs heartbeat minUptimeMs outbox signal logger inspect systemId clock WebSocket'.split(
    ' ',
  ),
);
/** The options `connect()` reads itself; any other key is a Node `ws` client option. */
export const CONNECT_OPTION_KEYS: ReadonlySet<string> = new Set(
  'headers protocols timeoutMs closeTimeoutMs heartbeat maxBufferedFrames signal logger clock WebSocket'.split(' '),
);

const OPTIONAL_CALLBACKS = [
  'init',
  'handleConnect',
  'handleInfo',
  'handleError',
  'handleDisconnect',
  'terminate',
] as const;

/** Checks a client object: `connect` and `handleFrame` required, the other callbacks functions if given. */
export function checkClient(client: unknown): E.Either<string, MinchClient<unknown, unknown, unknown>> {
  if (typeof client !== 'object' || client === null) return E.left('client must be an object of callbacks');
  const c = client as Record<string, unknown>;
  for (const name of ['connect', 'handleFrame']) {
    if (typeof c[name] !== 'function') return E.left(`client.${name} is required and must be a function`);
  }
  for (const name of OPTIONAL_CALLBACKS) {
    if (c[name] !== undefined && typeof c[name] !== 'function') return E.left(`client.${name} must be a function`);
  }
  return E.right(client as MinchClient<unknown, unknown, unknown>);
}

/** Checks that `options` is an object holding only `keys`. */
export function checkOptionKeys(options: unknown, keys: ReadonlySet<string>): E.Either<string, void> {
  if (typeof options !== 'object' || options === null) return E.left('options must be an object');
  for (const key of Object.keys(options)) {
    if (!keys.has(key)) return E.left(`unknown option "${key}"; the options are ${[...keys].join(', ')}`);
  }
  return E.right(undefined);
}

/** Checks a logger: any object with `debug/info/warn/error` functions. */
export function checkLogger(logger: unknown): E.Either<string, Logger> {
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    if (typeof (logger as Partial<Logger> | null)?.[level] !== 'function') {
      return E.left(`logger.${level} must be a function`);
    }
  }
  return E.right(logger as Logger);
}

/** Checks the `WebSocket` option: a class, or undefined for the default. */
export function checkWebSocketClass(value: unknown): E.Either<string, WebSocketClass | undefined> {
  if (value === undefined || typeof value === 'function') return E.right(value as WebSocketClass | undefined);
  return E.left(`WebSocket must be a WebSocket class (WHATWG-style or ws's), got ${typeof value}`);
}

/** Checks the opt-in outbox: `false`, or `{ max, overflow? }`. */
export function checkOutbox(outbox: unknown): E.Either<string, OutboxOptions | null> {
  if (outbox === undefined || outbox === false) return E.right(null);
  const o = outbox as Partial<OutboxOptions> | null;
  if (typeof o !== 'object' || o === null || !Number.isInteger(o.max) || (o.max as number) < 1) {
    return E.left('outbox.max must be an integer >= 1');
  }
  const overflow = o.overflow ?? 'reject';
  if (overflow !== 'reject' && overflow !== 'drop-oldest')
    return E.left("outbox.overflow must be 'reject' or 'drop-oldest'");
  return E.right({ max: o.max as number, overflow });
}

/** Checks the simple client's `maxBufferedFrames`. */
export function checkMaxBuffered(value: unknown): E.Either<string, number> {
  if (value === undefined) return E.right(DEFAULTS.maxBufferedFrames);
  if (!Number.isInteger(value) || (value as number) < 1) return E.left('maxBufferedFrames must be an integer >= 1');
  return E.right(value as number);
}

/**
 * Checks the close frame of `close(target, { code, reason })`. The rule is the
 * one `sendFrame` applies to a close frame (1000 or 3000–4999, a reason of at
 * most 123 UTF-8 bytes), with the same message, plus 1001 ("going away"),
 * which a service that shuts down may send (browsers send 1000 instead).
 */
export function checkCloseOptions(options: {
  code?: unknown;
  reason?: unknown;
}): E.Either<string, { code: number; reason: string }> {
  const code = options.code ?? DEFAULTS.closeCode;
  const reason = options.reason ?? '';
  const checked = validateClose((code === 1001 ? 1000 : code) as number, reason as string);
  if (E.isLeft(checked)) {
    const message = checked.left.type === 'invalid_frame' ? checked.left.message : checked.left.type;
    return E.left(`${message}; 1001 is allowed too`);
  }
  return E.right({ code: code as number, reason: reason as string });
}
