/**
 * The public entry points of the client actor: `createMinchActor`, and
 * `sendFrame`, `sendInfo` and `close` for both actors and simple connections.
 * Each sends the machine one event, or writes to the open socket.
 */
import * as E from './core/either.js';
import { createActor, type ActorOptions, type InspectionEvent, type Observer, type SnapshotFrom } from 'xstate';
import { stateName, type MinchContext } from '../machines/context.js';
import type { minchMachine } from '../machines/minchMachine.js';
import { NOT_CONNECTED, RIGHT_VOID } from './core/errors.js';
import { isDataFrame, normalizeFrame } from './core/frames.js';
import { checkCloseOptions, DEFAULTS } from './core/options.js';
import { attachRuntime, createRuntime, runtimeMachine, runtimeOf } from './runtime/attach.js';
import type { ClientRuntime } from './runtime/clientRuntime.js';
import type { TypedActor, WithContext } from './typedActor.js';
import type {
  Frame,
  FrameInput,
  HeartbeatOptions,
  Logger,
  MinchClient,
  OutboxOptions,
  SendError,
  WebSocketClass,
} from './types.js';

/** Options of `createMinchActor`. Per-attempt socket settings come from `connect(state)`. */
export interface MinchActorOptions {
  /**
   * Time allowed for each attempt, from `connect(state)` to the end of the
   * opening handshake; then the attempt ends with `{ type: 'connect_error', reason: 'timeout' }`.
   * @default 10000
   */
  connectTimeoutMs?: number;
  /**
   * How long a close (a `close` result, a stop, `close(actor)`) waits for the
   * server's close frame before the socket is terminated.
   * @default 5000
   */
  closeTimeoutMs?: number;
  /**
   * A protocol ping (or `heartbeat.frame`) every `intervalMs`, or every
   * `timeoutMs` if that is longer (one probe outstanding at most); no frame
   * from the peer within `timeoutMs` after a probe ends the connection with
   * `{ type: 'heartbeat_timeout' }`, so a silent peer is found within
   * `intervalMs + timeoutMs`. `false` turns it off.
   * @default { intervalMs: 20000, timeoutMs: 20000 } in Node, false in browsers
   */
  heartbeat?: HeartbeatOptions | false;
  /**
   * A connection must stay open this long for the attempt count to start
   * again at 1, so a server that accepts and drops at once sees backoff grow.
   * @default 0
   */
  minUptimeMs?: number;
  /**
   * Queue frames sent while not open and write them right after the next
   * open. Off by default: `sendFrame` while not open is `Left(not_connected)`.
   * @default false
   */
  outbox?: OutboxOptions | false;
  /** Aborting it closes the client, with stop reason `{ type: 'aborted', reason }`. */
  signal?: AbortSignal;
  /**
   * Receives lifecycle events at debug/info and the default handleError's
   * warnings. Never given header values, URL credentials, query strings or payloads.
   * @default warn/error to the console, nothing else
   */
  logger?: Logger;
  /** XState's inspection observer (for the Stately inspector). */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** XState system id: other actors find the client by this name. */
  systemId?: string;
  /**
   * XState clock, for tests (`SimulatedClock`). Every timer of the client runs
   * on it: the connect and close timeouts, backoff, heartbeat and `sendAfter`.
   */
  clock?: Clock;
  /**
   * The WebSocket class each attempt constructs: WHATWG-style (undici's, the
   * browser's) or `ws`'s (a subclass with a proxy agent, say), or the fake of
   * `minch/testing`. Headers, protocol pings, pausing and the upgrade
   * response need `ws`'s interface, in Node.
   * @default isomorphic-ws: `ws` in Node, the native `WebSocket` in browsers
   */
  WebSocket?: WebSocketClass;
}

/** A clock for the client's timers, as XState's `SimulatedClock` is one. */
export interface Clock {
  /** Calls `fn` after `ms`; returns an id for `clearTimeout`. */
  setTimeout(fn: (...args: any[]) => void, ms: number): any;
  /** Cancels a timer `setTimeout` returned. */
  clearTimeout(id: any): void;
  /** The current time in ms, where the clock keeps its own (`SimulatedClock` does); else `Date.now()` is used. */
  now?(): number;
}

/**
 * A client actor's snapshot: `stateName(snapshot)` is its plain state name,
 * `snapshot.context` the `MinchContext`, `snapshot.context.state` the client's state.
 * Name it with this type: XState's `SnapshotFrom<typeof actor>` sees the
 * untyped snapshot that the actor's `Symbol.observable` member still has.
 */
export type MinchSnapshot<State = unknown> = WithContext<SnapshotFrom<typeof minchMachine>, MinchContext<State>>;

/**
 * The actor `createMinchActor` returns: an XState actor of the Minch machine,
 * whose snapshots have the client's `State` type in `context.state`. A
 * `MinchActor<Chat>` is also a `MinchActor` (of `unknown` state).
 */
export type MinchActor<State = unknown> = TypedActor<typeof minchMachine, MinchSnapshot<State>>;

export type { MinchContext };

/**
 * Creates a client actor from a callback object. Like XState's `createActor`,
 * the actor is not started: call `.start()`.
 *
 * @example
 * const actor = createMinchActor(client, { count: 0 }, { connectTimeoutMs: 5000 });
 * actor.start();
 * sendFrame(actor, { type: 'text', data: 'hello' });
 * await close(actor);
 */
export function createMinchActor<State, InitArg, Info>(
  client: MinchClient<State, InitArg, Info>,
  initArg: InitArg,
  options: MinchActorOptions = {},
): MinchActor<State> {
  const { input, runtime } = createRuntime(client, initArg, options, 'createMinchActor');
  const actorOptions: ActorOptions<typeof runtimeMachine> & { input: typeof input } = { input };
  if (options.inspect !== undefined) actorOptions.inspect = options.inspect;
  if (options.systemId !== undefined) actorOptions.systemId = options.systemId;
  if (options.clock !== undefined) actorOptions.clock = options.clock;
  const actor = createActor(runtimeMachine, actorOptions);
  attachRuntime(runtime, actor, options.signal);
  // One machine runs every client; only the type of `context.state` differs.
  return actor as unknown as MinchActor<State>;
}

/**
 * Returns `client` unchanged: a helper for type inference, so callbacks get
 * their `state` type from `init` or the annotation without repeating it.
 *
 * @example
 * const echo = defineClient<{ n: number }>({
 *   connect: () => 'ws://127.0.0.1:8080/',
 *   handleFrame: (_frame, state) => ({ type: 'ok', state: { n: state.n + 1 } }),
 * });
 */
export function defineClient<State, InitArg = State, Info = unknown>(
  client: MinchClient<State, InitArg, Info>,
): MinchClient<State, InitArg, Info> {
  return client;
}

/** Anything `sendFrame`, `sendInfo` and `close` accept: a client actor or a simple `Connection`. */
export type SendTarget = object;

/** The runtime behind a send target; it knows its actor. */
function runtimeFor(target: SendTarget, fn: string): ClientRuntime & { actor: MinchActor } {
  const runtime = typeof target === 'object' && target !== null ? runtimeOf(target) : undefined;
  if (runtime === undefined || runtime.actor === null) {
    throw new TypeError(`${fn}: the target is not a Minch client actor or connection`);
  }
  return runtime as ClientRuntime & { actor: MinchActor };
}

/**
 * Sends a frame now, synchronously. `Right` means it was handed to the open
 * socket; `Left` says why not (`not_connected`, `invalid_frame`,
 * `unsupported`) and nothing was sent. A close frame starts the closing
 * handshake, like a `close` result.
 *
 * @example
 * const sent = sendFrame(actor, { type: 'text', data: 'hi' });
 * if (E.isLeft(sent)) console.warn(sent.left.type);
 */
export function sendFrame(target: SendTarget, frame: FrameInput): E.Either<SendError, void> {
  const runtime = runtimeFor(target, 'sendFrame');
  // The common cases, text and binary data frames, are valid as they are: no Either to allocate.
  if (isDataFrame(frame)) return writeOrQueue(runtime, frame);
  const normal = normalizeFrame(frame);
  if (E.isLeft(normal)) return normal;
  const f = normal.right;
  if (f.type !== 'close') return writeOrQueue(runtime, f);
  if (!runtime.isOpen || stateName(runtime.actor.getSnapshot()) !== 'open') return NOT_CONNECTED;
  runtime.actor.send({ type: 'user.close', code: f.code ?? DEFAULTS.closeCode, reason: f.reason ?? '' });
  return RIGHT_VOID;
}

/** Writes to the open socket; while not open, queues in the opt-in outbox or says not_connected. */
function writeOrQueue(runtime: ClientRuntime & { actor: MinchActor }, frame: Frame): E.Either<SendError, void> {
  const written = runtime.write(frame);
  if (E.isRight(written) || written.left.type !== 'not_connected') return written;
  return runtime.actor.getSnapshot().status === 'active' ? runtime.enqueueOutgoing(frame) : written;
}

/** Delivers `message` to the client's `handleInfo`, after the events already queued. */
export function sendInfo(target: SendTarget, message: unknown): void {
  runtimeFor(target, 'sendInfo').actor.send({ type: 'user.info', message });
}

/** Options of `close`. */
export interface CloseOptions {
  /**
   * The close code sent to the server: 1000, 1001 ("going away", for a
   * service shutting down; browsers send 1000 instead) or 3000–4999.
   * @default 1000
   */
  code?: number;
  /** At most 123 UTF-8 bytes. @default '' */
  reason?: string;
}

const closers = new WeakMap<object, (options: { code: number; reason: string }) => Promise<void>>();

/** Lets `close()` stop other Minch-made actors (the supervisor). */
export function registerCloser(
  target: object,
  closer: (options: { code: number; reason: string }) => Promise<void>,
): void {
  closers.set(target, closer);
}

/** Resolves when `actor` is done (at once if it already is). */
export function whenDone(actor: {
  getSnapshot(): { status: string };
  subscribe(observer: { complete(): void; error(): void }): { unsubscribe(): void };
}): Promise<void> {
  if (actor.getSnapshot().status !== 'active') return Promise.resolve();
  return new Promise<void>((resolve) => {
    const sub = actor.subscribe({
      complete: () => {
        sub.unsubscribe();
        resolve();
      },
      error: () => resolve(),
    });
  });
}

/**
 * Stops the client: closes the socket (code 1000 unless `options.code`),
 * waits at most `closeTimeoutMs` for the server, runs `terminate('normal',
 * state)` once and resolves. Idempotent: on a stopped client it resolves at
 * once. Also stops a simple `Connection` and a supervisor (every child).
 * An invalid close code or reason rejects with a `RangeError` carrying the
 * message `sendFrame` gives for the same close frame, and nothing is sent.
 */
export function close(target: SendTarget, options: CloseOptions = {}): Promise<void> {
  const checked = checkCloseOptions(options);
  if (E.isLeft(checked)) return Promise.reject(new RangeError(`close: ${checked.left}`));
  const closer = typeof target === 'object' && target !== null ? closers.get(target) : undefined;
  if (closer !== undefined) return closer(checked.right);
  const runtime = runtimeFor(target, 'close');
  const actor = runtime.actor;
  if (!runtime.started) {
    // Never started: there is no socket and no state to terminate; nothing may run or queue later.
    runtime.halt();
    actor.stop();
    return Promise.resolve();
  }
  const done = whenDone(actor);
  runtime.send({ type: 'user.stop', code: checked.right.code, reason: checked.right.reason });
  return done;
}

/** Pauses or resumes reading from the target's socket; false where that is impossible. */
export function setReading(target: SendTarget, reading: boolean): boolean {
  return runtimeOf(target)?.setReading(reading) ?? false;
}
