/**
 * The callback runtime of one client actor: a mailbox that runs the user's
 * callbacks one at a time, in arrival order, awaiting those that return a
 * Promise, and hands their effects to the statechart (lifecycle) or to the
 * open socket (reply frames).
 *
 * Why a mailbox beside the machine: callbacks may be async, and a slow
 * `handleFrame` must delay the next frame, never reorder it. Data frames take
 * a lean path straight into this mailbox so that each frame does not pay a
 * full machine transition; the user state reaches `snapshot.context.state`
 * once per batch (one socket read), which keeps the snapshot truthful.
 */
import { either as E } from 'fp-ts';
import type { AnyActorRef } from 'xstate';
import { backoff } from './core/backoff.js';
import { reduceResult, type Effect } from './core/results.js';
import { resolveTarget, type ResolvedTarget } from './core/target.js';
import type {
  CallbackName,
  DisconnectReason,
  Frame,
  Logger,
  MinchClient,
  MinchError,
  OutboxOptions,
  Self,
  SendError,
  UpgradeResponse,
} from './types.js';

/** The open socket as the runtime may use it; owned by the adapter actor. */
export interface SocketHandle {
  /** Writes a data or control frame; `Left` if the socket cannot take it. */
  write(frame: Frame): E.Either<SendError, void>;
  /** Stops or resumes reading from the socket (TCP backpressure). False where it cannot (browsers). */
  setReading(reading: boolean): boolean;
}

/** Events the runtime sends to the machine. */
export type RuntimeEvent =
  | { type: 'init.done'; state: unknown }
  | { type: 'init.stop'; reason: unknown }
  | { type: 'connect.ready'; generation: number; url: string }
  | { type: 'connect.failed'; generation: number; reason: DisconnectReason }
  | { type: 'result.close'; code: number; reason: string }
  | { type: 'result.stop'; reason: unknown }
  | { type: 'disconnect.reconnect'; backoffMs: number }
  | { type: 'state.sync'; state: unknown }
  | { type: 'terminate.done' }
  | { type: 'client.info'; message: unknown }
  | { type: 'client.sendAfter'; id: string; message: unknown; delayMs: number }
  | { type: 'client.cancelTimer'; id: string };

type Job =
  | { kind: 'init'; arg: unknown }
  | { kind: 'connect'; generation: number }
  | { kind: 'handleConnect'; response: UpgradeResponse }
  | { kind: 'frame'; frame: Frame }
  | { kind: 'info'; message: unknown }
  | { kind: 'error'; error: MinchError }
  | { kind: 'disconnect'; reason: DisconnectReason; attempt: number }
  | { kind: 'terminate'; reason: unknown };

const CALLBACK_OF: Record<Job['kind'], CallbackName> = {
  init: 'init',
  connect: 'connect',
  handleConnect: 'handleConnect',
  frame: 'handleFrame',
  info: 'handleInfo',
  error: 'handleError',
  disconnect: 'handleDisconnect',
  terminate: 'terminate',
};

export const RIGHT_VOID: E.Either<never, void> = E.right(undefined);
const NOT_CONNECTED: E.Either<SendError, never> = E.left({ type: 'not_connected' });

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : typeof err === 'string' ? err : 'a non-Error value was thrown';
}

function isOk(v: unknown): v is { type: 'ok'; state: unknown } {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'ok' && 'state' in v;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

const runtimes = new WeakMap<object, ClientRuntime>();
/** Shared empty outbox: most clients never queue, so they allocate no array. */
const NO_FRAMES: Frame[] = [];

/** The runtime of a Minch actor (root or spawned) or of a simple connection, or undefined. */
export function runtimeOf(target: object): ClientRuntime | undefined {
  return runtimes.get(target);
}

/** Makes `key` (a simple connection) resolve to the same runtime as `actor`. */
export function bindTarget(key: object, actor: object): void {
  const runtime = runtimes.get(actor);
  if (runtime !== undefined) runtimes.set(key, runtime);
}

export class ClientRuntime {
  /** The user state; the machine's `context.state` follows it after each batch. */
  state: unknown = undefined;
  /** The open socket, or null while not open. */
  socket: SocketHandle | null = null;
  /** The resolved target of the current attempt, never put in events or snapshots. */
  target: ResolvedTarget | null = null;
  readonly self: Self<unknown>;
  /** True once the machine started (its first action asked for init). */
  started = false;

  /** The actor running this client; set by `attach`. */
  actor: AnyActorRef | null = null;
  private readonly queue: Job[] = [];
  private head = 0;
  private running = false;
  private drainScheduled = false;
  private syncScheduled = false;
  private syncedState: unknown = undefined;
  private terminateQueued = false;
  private finished = false;
  private timerSeq = 0;
  /** Frames sent while not open, when the opt-in outbox is on. */
  private outbox: Frame[] = NO_FRAMES;
  outboxOptions: OutboxOptions | null = null;

  constructor(
    private readonly client: MinchClient<any, any, any>,
    readonly logger: Logger,
  ) {
    this.self = {
      sendInfo: (message) => this.send({ type: 'client.info', message }),
      sendAfter: (message, delayMs) => {
        if (typeof delayMs !== 'number' || !(delayMs >= 0)) throw new RangeError(`sendAfter: delayMs must be a number >= 0, got ${String(delayMs)}`);
        const id = `minch.info.${++this.timerSeq}`;
        this.send({ type: 'client.sendAfter', id, message, delayMs });
        return () => this.send({ type: 'client.cancelTimer', id });
      },
    };
  }

  attach(actor: AnyActorRef): void {
    this.actor = actor;
    runtimes.set(actor, this);
  }

  /** Sends an event to the machine unless it has stopped. */
  send(event: RuntimeEvent): void {
    const actor = this.actor;
    if (actor !== null && actor.getSnapshot().status === 'active') actor.send(event);
  }

  // ---- entry points used by machine actions (run on a microtask, after the transition) ----

  runInit(arg: unknown): void {
    this.started = true;
    this.enqueue({ kind: 'init', arg });
  }
  runConnect(generation: number): void {
    this.enqueue({ kind: 'connect', generation });
  }
  runHandleConnect(response: UpgradeResponse): void {
    this.enqueue({ kind: 'handleConnect', response });
  }
  runInfo(message: unknown): void {
    this.enqueue({ kind: 'info', message });
  }
  runDisconnect(reason: DisconnectReason, attempt: number): void {
    this.enqueue({ kind: 'disconnect', reason, attempt });
  }
  runTerminate(reason: unknown): void {
    if (this.terminateQueued) return;
    this.terminateQueued = true;
    for (const frame of this.outbox.splice(0)) {
      this.reportError({ type: 'send_error', message: `a queued ${frame.type} frame was dropped: the client stopped before it could be sent`, error: { type: 'not_connected' } });
    }
    this.enqueue({ kind: 'terminate', reason });
  }

  /** Queues a frame while not open (opt-in outbox); `Left` when it cannot. */
  enqueueOutgoing(frame: Frame): E.Either<SendError, void> {
    const options = this.outboxOptions;
    if (options === null || this.terminateQueued || frame.type === 'close') return NOT_CONNECTED;
    if (this.outbox.length >= options.max) {
      if ((options.overflow ?? 'reject') === 'reject') {
        return E.left({ type: 'outbox_full', message: `the outbox holds ${options.max} frames already` });
      }
      const dropped = this.outbox.shift() as Frame;
      this.reportError({ type: 'send_error', message: `a queued ${dropped.type} frame was dropped: the outbox was full`, error: { type: 'not_connected' } });
    }
    if (this.outbox === NO_FRAMES) this.outbox = [];
    this.outbox.push(frame);
    return RIGHT_VOID;
  }

  /** The socket just opened: write what was queued, in order, before anything else. */
  opened(socket: SocketHandle): void {
    this.socket = socket;
    for (const frame of this.outbox.splice(0)) {
      const written = socket.write(frame);
      if (E.isLeft(written)) this.reportError({ type: 'send_error', message: `a queued ${frame.type} frame was not sent`, error: written.left });
    }
  }
  reportError(error: MinchError): void {
    this.enqueue({ kind: 'error', error });
  }

  /**
   * A data frame from the socket (the lean path). Runs at once when nothing is
   * queued, since socket events never arrive in the middle of a transition.
   */
  deliverFrame(frame: Frame): void {
    if (this.running || this.head < this.queue.length) {
      this.queue.push({ kind: 'frame', frame });
      return;
    }
    this.running = true;
    const pending = this.runFrame(frame);
    if (pending === undefined) {
      // The callback may have queued more work (handleError, say).
      if (this.head < this.queue.length) this.drain();
      else {
        this.running = false;
        this.afterDrain();
      }
    } else {
      void pending.then(() => {
        this.running = false;
        this.drain();
      });
    }
  }

  /** Writes a frame to the open socket. */
  write(frame: Frame): E.Either<SendError, void> {
    const socket = this.socket;
    return socket === null ? NOT_CONNECTED : socket.write(frame);
  }

  // ---- the mailbox ----

  private enqueue(job: Job): void {
    this.queue.push(job);
    if (!this.running && !this.drainScheduled) {
      this.drainScheduled = true;
      queueMicrotask(() => {
        this.drainScheduled = false;
        if (!this.running) this.drain();
      });
    }
  }

  private drain(): void {
    this.running = true;
    while (this.head < this.queue.length) {
      const job = this.queue[this.head++] as Job;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      const pending = this.runJob(job);
      if (pending !== undefined) {
        void pending.then(() => this.drain());
        return;
      }
    }
    this.queue.length = 0;
    this.head = 0;
    this.running = false;
    this.afterDrain();
  }

  private afterDrain(): void {
    if (this.state !== this.syncedState && !this.syncScheduled) {
      this.syncScheduled = true;
      queueMicrotask(() => {
        this.syncScheduled = false;
        if (this.state !== this.syncedState) {
          this.syncedState = this.state;
          this.send({ type: 'state.sync', state: this.state });
        }
      });
    }
  }

  /** Runs one job; returns a Promise only when a callback was asynchronous. */
  private runJob(job: Job): Promise<void> | undefined {
    if (this.finished) return undefined;
    const name = CALLBACK_OF[job.kind];
    let result: unknown;
    try {
      if (this.skip(job)) return undefined;
      result = this.invoke(job);
    } catch (err) {
      this.fail(job, name, err);
      return undefined;
    }
    return this.settle(job, name, result);
  }

  /**
   * The frame path when the mailbox is idle: calls handleFrame with no job
   * object, and applies the common `{ type: 'ok', state }` result in place.
   */
  private runFrame(frame: Frame): Promise<void> | undefined {
    if (this.finished) return undefined;
    let result: unknown;
    try {
      result = this.client.handleFrame(frame, this.state, this.self);
    } catch (err) {
      this.fail({ kind: 'frame', frame }, 'handleFrame', err);
      return undefined;
    }
    if (isOk(result)) {
      this.state = result.state;
      return undefined;
    }
    return this.settle({ kind: 'frame', frame }, 'handleFrame', result);
  }

  /** Applies a callback's result now, or once its Promise settles. */
  private settle(job: Job, name: CallbackName, result: unknown): Promise<void> | undefined {
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        (value) => this.complete(job, name, value),
        (err: unknown) => this.fail(job, name, err),
      );
    }
    this.complete(job, name, result);
    return undefined;
  }

  /** Applies the default of an optional callback the client does not define; true if it did. */
  private skip(job: Job): boolean {
    const c = this.client;
    switch (job.kind) {
      case 'info':
        return c.handleInfo === undefined;
      case 'handleConnect':
        return c.handleConnect === undefined;
      case 'error':
        if (c.handleError !== undefined) return false;
        this.logDefaultError(job.error);
        return true;
      case 'disconnect':
        if (c.handleDisconnect !== undefined) return false;
        this.send({ type: 'disconnect.reconnect', backoffMs: backoff(job.attempt) });
        return true;
      case 'init':
        if (c.init !== undefined) return false;
        this.state = job.arg;
        this.syncedState = job.arg;
        this.send({ type: 'init.done', state: job.arg });
        return true;
      case 'terminate':
        this.finished = true;
        return false;
      default:
        return false;
    }
  }

  /** Calls the user's callback for a job (no closure per job: this is the frame path). */
  private invoke(job: Job): unknown {
    const c = this.client;
    const s = this.state;
    switch (job.kind) {
      case 'frame':
        return c.handleFrame(job.frame, s, this.self);
      case 'info':
        return c.handleInfo!(job.message, s, this.self);
      case 'handleConnect':
        return c.handleConnect!(job.response, s, this.self);
      case 'error':
        return c.handleError!(job.error, s, this.self);
      case 'disconnect':
        return c.handleDisconnect!(job.reason, job.attempt, s, this.self);
      case 'init':
        return c.init!(job.arg, this.self);
      case 'connect':
        return c.connect(s, this.self);
      case 'terminate':
        return c.terminate === undefined ? undefined : c.terminate(job.reason, s, this.self);
    }
  }

  /** A callback threw or its Promise rejected. */
  private fail(job: Job, name: CallbackName, err: unknown): void {
    const error: MinchError = { type: 'callback_error', callback: name, message: `${name} threw: ${errorMessage(err)}`, error: err };
    this.misbehaved(job, name, error);
  }

  /** A callback threw or returned an invalid result: report it, then keep the client going. */
  private misbehaved(job: Job, name: CallbackName, error: MinchError): void {
    switch (job.kind) {
      case 'init':
        this.logger.error(`[minch] ${error.message}; the client stops`);
        this.send({ type: 'init.stop', reason: { type: error.type, callback: name, message: error.message } });
        return;
      case 'connect':
        this.reportError(error);
        this.send({
          type: 'connect.failed',
          generation: job.generation,
          reason: { type: 'connect_error', reason: 'invalid_target', message: error.message },
        });
        return;
      case 'disconnect':
        this.reportError(error);
        this.send({ type: 'disconnect.reconnect', backoffMs: backoff(job.attempt) });
        return;
      case 'terminate':
        this.logger.error(`[minch] ${error.message}`);
        this.send({ type: 'terminate.done' });
        return;
      case 'error':
        this.logger.error(`[minch] ${error.message} while handling: ${job.error.message}`);
        return;
      default:
        this.reportError(error);
    }
  }

  private complete(job: Job, name: CallbackName, result: unknown): void {
    // The common case on the frame path, { type: 'ok', state }, needs no reducer and no allocation.
    if (job.kind === 'frame' && isOk(result)) {
      this.state = result.state;
      return;
    }
    switch (job.kind) {
      case 'terminate':
        this.send({ type: 'terminate.done' });
        return;
      case 'connect': {
        const target = resolveTarget(result);
        if (E.isLeft(target)) {
          this.misbehaved(job, name, { type: 'invalid_result', callback: 'connect', message: `connect returned ${target.left}` });
          return;
        }
        this.target = target.right;
        this.send({ type: 'connect.ready', generation: job.generation, url: target.right.safeUrl });
        return;
      }
    }
    const reduced = reduceResult(name, result, this.state);
    if (E.isLeft(reduced)) {
      this.misbehaved(job, name, reduced.left);
      return;
    }
    this.state = reduced.right.state;
    if (job.kind === 'init') {
      this.syncedState = this.state;
      const stop = reduced.right.effects[0];
      this.send(stop?.type === 'stop' ? { type: 'init.stop', reason: stop.reason } : { type: 'init.done', state: this.state });
      return;
    }
    for (const effect of reduced.right.effects) this.apply(effect);
  }

  private apply(effect: Effect): void {
    switch (effect.type) {
      case 'send':
        for (const frame of effect.frames) {
          const written = this.write(frame);
          if (E.isLeft(written)) {
            const why = written.left.type === 'not_connected' ? 'the client is not connected' : written.left.message;
            this.reportError({ type: 'send_error', message: `a ${frame.type} frame was not sent: ${why}`, error: written.left });
          }
        }
        return;
      case 'close':
        if (this.socket === null) {
          this.reportError({ type: 'send_error', message: 'a close result was ignored: the client is not connected', error: { type: 'not_connected' } });
          return;
        }
        this.send({ type: 'result.close', code: effect.code, reason: effect.reason });
        return;
      case 'stop':
        this.send({ type: 'result.stop', reason: effect.reason });
        return;
      case 'reconnect':
        this.send({ type: 'disconnect.reconnect', backoffMs: effect.backoffMs });
        return;
    }
  }

  /** The default `handleError`: a warning without payloads. */
  private logDefaultError(error: MinchError): void {
    this.logger.warn(`[minch] ${error.type} in ${'callback' in error ? error.callback : 'send'}: ${error.message}`);
  }
}
