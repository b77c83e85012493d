/**
 * The simple client: `connect`, `receiveFrame`, and a `Connection` that is an
 * async iterable of frames. As in Elixir Minch, it is itself a Minch client
 * (a callback object) run by the statechart, so it inherits every protocol
 * behaviour: automatic pongs, the closing handshake, heartbeat, timeouts.
 * It never reconnects.
 */
import * as E from './core/either.js';
import { close, createMinchActor, setReading, type Clock, type MinchActor } from './client.js';
import { bindTarget } from './runtime/attach.js';
import { ENDED } from './core/errors.js';
import { checkMaxBuffered, CONNECT_OPTION_KEYS, DEFAULTS } from './core/options.js';
import { resolveTarget } from './core/target.js';
import type {
  DisconnectReason,
  Frame,
  HeadersInput,
  HeartbeatOptions,
  Logger,
  MinchClient,
  UpgradeResponse,
  WebSocketClass,
} from './types.js';

/** Why `connect` failed. Timeouts are `{ type: 'connect_error', reason: 'timeout' }`. */
export type ConnectError = Extract<DisconnectReason, { type: 'connect_error' | 'upgrade_failed' }>;

/**
 * Options of `connect`. Keys not listed here are passed to the Node `ws` client (TLS,
 * `perMessageDeflate`, `maxPayload`, ...).
 */
export interface ConnectOptions {
  /** Headers of the upgrade request. Browsers cannot send any: there `connect` fails, reason `'unsupported'`. */
  headers?: HeadersInput;
  /** The subprotocols to offer; `response.protocol` is the one the server chose. */
  protocols?: string | string[];
  /**
   * Time allowed for DNS, TCP, TLS and the opening handshake together.
   * @default 30000
   */
  timeoutMs?: number;
  /** How long a close waits for the server's close frame before the socket is terminated. @default 5000 */
  closeTimeoutMs?: number;
  /**
   * Finds a silent peer, as `createMinchActor`'s `heartbeat`; `false` turns it off.
   * @default { intervalMs: 20000, timeoutMs: 20000 } in Node, false in browsers
   */
  heartbeat?: HeartbeatOptions | false;
  /**
   * Frames kept for `receiveFrame` before anyone asks. When the buffer is
   * full, Node stops reading from the socket (TCP backpressure) until frames
   * are taken; nothing is dropped. Browsers cannot pause a socket: there the
   * connection is closed (1000 "receive buffer full") and `closed` says how it ended.
   * @default 10000
   */
  maxBufferedFrames?: number;
  /** Aborting it cancels a pending connect (`connect_error`, reason `'aborted'`) or closes the connection. */
  signal?: AbortSignal;
  /** As `createMinchActor`'s `logger`. @default warn/error to the console, nothing else */
  logger?: Logger;
  /** As `createMinchActor`'s `clock`; `receiveFrame`'s timeout runs on it too. */
  clock?: Clock;
  /** As `createMinchActor`'s `WebSocket`. @default isomorphic-ws */
  WebSocket?: WebSocketClass;
  [wsOption: string]: unknown;
}

/**
 * `[Symbol.asyncDispose]` where the consumer's TypeScript `lib` has it
 * (`esnext.disposable`, or `es2025` and later), so `await using` works there;
 * nothing otherwise, so the types also check with `lib: ["es2023", "dom"]`.
 */
export type AsyncDisposableWhereTyped = SymbolConstructor extends { readonly asyncDispose: infer Key extends symbol }
  ? { [K in Key]: () => Promise<void> }
  : unknown;

/**
 * A connection made by `connect`: frames in arrival order (it is an async
 * iterable), and how it ended. `await using conn = ...` closes it at the end
 * of the block.
 */
export type Connection = AsyncIterable<Frame> &
  AsyncDisposableWhereTyped & {
    /** Resolves once, when the connection ends for any reason (a local close included). */
    readonly closed: Promise<DisconnectReason>;
    /** The server's answer to the upgrade. */
    readonly response: UpgradeResponse;
  };

interface Waiter {
  resolve(frame: Frame | 'timeout'): void;
  timer: unknown;
}

const globalClock: Clock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

class SimpleConnection implements Connection {
  readonly closed: Promise<DisconnectReason>;
  response: UpgradeResponse = { status: 0, headers: {}, protocol: '' };
  /** Set once the connection ended; `receiveFrame` then answers with this close frame. */
  ended: Extract<Frame, { type: 'close' }> | null = null;
  private resolveClosed!: (reason: DisconnectReason) => void;
  private readonly buffer: Frame[] = [];
  private head = 0;
  private readonly waiters: Waiter[] = [];
  private paused = false;
  actor: MinchActor | null = null;

  constructor(
    private readonly maxBuffered: number,
    private readonly clock: Clock,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  push(frame: Frame): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      if (waiter.timer !== undefined) this.clock.clearTimeout(waiter.timer);
      waiter.resolve(frame);
      return;
    }
    this.buffer.push(frame);
    if (this.buffered() >= this.maxBuffered && !this.paused && this.actor !== null) {
      this.paused = setReading(this.actor, false);
      if (!this.paused) this.overflow();
    }
  }

  /** Browsers cannot pause a socket: close it instead of buffering without bound. */
  private overflow(): void {
    if (this.actor !== null)
      this.actor.send({ type: 'user.close', code: DEFAULTS.closeCode, reason: 'receive buffer full' });
  }

  buffered(): number {
    return this.buffer.length - this.head;
  }

  take(): Frame | undefined {
    if (this.head >= this.buffer.length) return undefined;
    const frame = this.buffer[this.head++] as Frame;
    if (this.head === this.buffer.length) {
      this.buffer.length = 0;
      this.head = 0;
    }
    if (this.paused && this.buffered() <= this.maxBuffered / 2 && this.actor !== null) {
      this.paused = false;
      setReading(this.actor, true);
    }
    return frame;
  }

  wait(timeoutMs: number): Promise<Frame | 'timeout'> {
    return new Promise((resolve) => {
      const waiter: Waiter = { resolve, timer: undefined };
      if (Number.isFinite(timeoutMs)) {
        waiter.timer = this.clock.setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i !== -1) this.waiters.splice(i, 1);
          resolve('timeout');
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  end(reason: DisconnectReason): void {
    if (this.ended !== null) return;
    this.ended =
      reason.type === 'closed'
        ? { type: 'close', code: reason.code, reason: reason.reason }
        : { type: 'close', code: 1006, reason: reason.type };
    for (const w of this.waiters.splice(0)) {
      if (w.timer !== undefined) this.clock.clearTimeout(w.timer);
      w.resolve(this.ended);
    }
    this.resolveClosed(reason);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Frame> {
    for (;;) {
      const frame = await receiveFrame(this, Infinity);
      if (frame === 'timeout' || frame.type === 'close') return;
      yield frame;
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return close(this);
  }
}

/**
 * Opens one connection, without reconnecting. Resolves `Right(connection)`
 * once the upgrade succeeded, or `Left` with why not; a failed connect leaves
 * nothing running. An invalid URL or option rejects at once.
 *
 * @example
 * const result = await connect('ws://127.0.0.1:8080/', { headers: { 'x-hello': 'world' }, timeoutMs: 5000 });
 * if (E.isRight(result)) {
 *   await using conn = result.right;
 *   sendFrame(conn, { type: 'text', data: 'hi' });
 *   console.log(await receiveFrame(conn));
 * }
 */
export function connect(url: string | URL, options: ConnectOptions = {}): Promise<E.Either<ConnectError, Connection>> {
  const wsOptions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (!CONNECT_OPTION_KEYS.has(k)) wsOptions[k] = v;
  const target = {
    url,
    ...(options.headers !== undefined && { headers: options.headers }),
    ...(options.protocols !== undefined && { protocols: options.protocols }),
    options: wsOptions,
  };
  const checked = resolveTarget(target);
  if (E.isLeft(checked)) return Promise.reject(new TypeError(`connect: ${checked.left}`));
  const maxBuffered = checkMaxBuffered(options.maxBufferedFrames);
  if (E.isLeft(maxBuffered)) return Promise.reject(new RangeError(`connect: ${maxBuffered.left}`));

  const conn = new SimpleConnection(maxBuffered.right, options.clock ?? globalClock);
  return new Promise((resolve) => {
    let opened = false;
    const client: MinchClient<null, null> = {
      connect: () => target,
      handleConnect: (response, state) => {
        opened = true;
        conn.response = response;
        resolve(E.right(conn));
        return { type: 'ok', state };
      },
      handleFrame: (frame, state) => {
        conn.push(frame);
        return { type: 'ok', state };
      },
      handleDisconnect: (reason, _attempt, state) => {
        if (!opened) resolve(E.left(reason as ConnectError));
        conn.end(reason);
        return { type: 'stop', reason: 'normal', state };
      },
      terminate: (reason) => {
        const last = actor.getSnapshot().context.lastDisconnect;
        if (!opened) {
          const aborted =
            typeof reason === 'object' && reason !== null && (reason as { type?: unknown }).type === 'aborted';
          resolve(
            E.left({
              type: 'connect_error',
              reason: aborted ? 'aborted' : 'closed',
              message: aborted ? 'the connect was aborted' : 'the connect was cancelled',
            }),
          );
        }
        conn.end(last ?? ENDED.noCloseAnswer);
      },
    };
    const actor = createMinchActor(client, null, {
      connectTimeoutMs: options.timeoutMs ?? DEFAULTS.simpleConnectTimeoutMs,
      ...(options.closeTimeoutMs !== undefined && { closeTimeoutMs: options.closeTimeoutMs }),
      ...(options.heartbeat !== undefined && { heartbeat: options.heartbeat }),
      ...(options.signal !== undefined && { signal: options.signal }),
      ...(options.logger !== undefined && { logger: options.logger }),
      ...(options.clock !== undefined && { clock: options.clock }),
      ...(options.WebSocket !== undefined && { WebSocket: options.WebSocket }),
    });
    conn.actor = actor;
    bindTarget(conn, actor);
    actor.start();
  });
}

/**
 * The next received frame (text, binary or pong, in arrival order), or
 * `'timeout'` after `timeoutMs`. On a connection that has ended with nothing
 * left buffered it resolves at once with a close frame
 * `{ type: 'close', code, reason }` (code 1006 when there was no close frame).
 */
export function receiveFrame(connection: Connection, timeoutMs = 5000): Promise<Frame | 'timeout'> {
  if (!(connection instanceof SimpleConnection))
    throw new TypeError('receiveFrame: expected a Connection from connect()');
  const frame = connection.take();
  if (frame !== undefined) return Promise.resolve(frame);
  if (connection.ended !== null) return Promise.resolve(connection.ended);
  return connection.wait(timeoutMs);
}
