/**
 * The runtime of one client actor: its mailbox (callbacks one at a time), the
 * user state, the socket of the current attempt, and the opt-in outbox. The
 * machine drives it through its named actions (see attach.ts).
 *
 * Data frames take the lean path: the socket hands each frame straight to the
 * mailbox, with no transition, and the user state reaches
 * `snapshot.context.state` once per batch (one socket read).
 */
import * as E from 'fp-ts/lib/Either.js';
import type { AnyActorRef } from 'xstate';
import type { MinchEvent } from '../../machines/events.js';
import {
  closeSocket,
  openSocket,
  probeSocket,
  releaseSocket,
  setSocketReading,
  writeFrame,
  type SocketOwner,
} from '../adapter.js';
import { callbackError, NOT_CONNECTED, NOT_CONNECTED_ERROR, RIGHT_VOID, sendError } from '../core/errors.js';
import { scrub, secretsOf, type ResolvedTarget } from '../core/target.js';
import type { DisconnectReason, Frame, HeartbeatOptions, Logger, MinchClient } from '../types.js';
import type { MinchError, OutboxOptions, Self, SendError, UpgradeResponse } from '../types.js';
import { CALLBACKS, type Callback } from './callbacks.js';
import { Mailbox } from './mailbox.js';
import type WebSocket from 'isomorphic-ws';

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Shared empty outbox: most clients never queue, so they allocate no array. */
const NO_FRAMES: Frame[] = [];

/** `self`, handed to every callback: methods on a prototype, no closures per client. */
class ClientSelf implements Self<unknown> {
  readonly #runtime: ClientRuntime;
  constructor(runtime: ClientRuntime) {
    this.#runtime = runtime;
  }
  sendInfo(message: unknown): void {
    this.#runtime.send({ type: 'user.info', message });
  }
  sendAfter(message: unknown, delayMs: number): () => void {
    if (typeof delayMs !== 'number' || !(delayMs >= 0)) {
      throw new RangeError(`sendAfter: delayMs must be a number >= 0, got ${String(delayMs)}`);
    }
    const runtime = this.#runtime;
    const id = `minch.info.${++runtime.timers}`;
    runtime.send({ type: 'user.sendAfter', id, message, delayMs });
    return () => runtime.send({ type: 'user.cancelTimer', id });
  }
}

export class ClientRuntime extends Mailbox implements SocketOwner {
  /** The user state; the machine's `context.state` follows it after each batch. */
  state: unknown = undefined;
  readonly self: Self<unknown> = new ClientSelf(this);
  /** The actor running this client; set by `attachRuntime`. */
  actor: AnyActorRef | null = null;
  /** True once the machine asked for its first callback (it has started). */
  started = false;
  /** Counts `sendAfter` timers, for their ids. */
  timers = 0;
  /** Set when the outbox option is on. */
  outboxOptions: OutboxOptions | null = null;

  private syncedState: unknown = undefined;
  private syncScheduled = false;
  private finished = false;
  private terminating = false;
  private outbox: Frame[] = NO_FRAMES;
  /** The resolved target of the current attempt, never put in events or snapshots. */
  private target: ResolvedTarget | null = null;
  private targetGeneration = -1;
  /** The socket of the current attempt, its generation, and what we know of it. */
  private ws: WebSocket | null = null;
  private generation = -1;
  private response: UpgradeResponse | null = null;
  private socketEnded = false;
  isOpen = false;
  /** A heartbeat probe is waiting for any frame from the peer. */
  private probing = false;
  /** Reading is paused (backpressure): the peer's answers cannot be read. */
  private paused = false;

  constructor(
    readonly client: MinchClient<unknown, unknown, unknown>,
    readonly logger: Logger,
  ) {
    super();
  }

  /** Sends an event to the machine unless it has stopped. */
  send(event: MinchEvent): void {
    const actor = this.actor;
    if (actor !== null && actor.getSnapshot().status === 'active') actor.send(event);
  }

  // ---- the mailbox ----

  /** The machine asks for a callback. */
  run(callback: Callback, a: unknown, b: unknown): void {
    this.started = true;
    callback.queued?.(this);
    this.enqueue(callback, a, b);
  }

  protected runJob(callback: Callback, a: unknown, b: unknown): Promise<void> | undefined {
    if (this.finished) return undefined;
    let result: unknown;
    try {
      result = callback.call(this, a, b);
    } catch (err) {
      callback.failed(this, callbackError(callback.name, err), a, b);
      return undefined;
    }
    if (!isThenable(result)) {
      this.settle(callback, result, a, b);
      return undefined;
    }
    return Promise.resolve(result).then(
      (value) => this.settle(callback, value, a, b),
      (err: unknown) => callback.failed(this, callbackError(callback.name, err), a, b),
    );
  }

  private settle(callback: Callback, result: unknown, a: unknown, b: unknown): void {
    const error = callback.done(this, result, a, b);
    if (error !== undefined) callback.failed(this, error, a, b);
  }

  /** The queue ran empty: bring the snapshot's state up to date, once per batch. */
  protected idle(): void {
    if (this.state === this.syncedState || this.syncScheduled) return;
    this.syncScheduled = true;
    queueMicrotask(() => {
      this.syncScheduled = false;
      if (this.state === this.syncedState) return;
      this.syncedState = this.state;
      this.send({ type: 'callback.state', state: this.state });
    });
  }

  reportError(error: MinchError): void {
    this.enqueue(CALLBACKS.handleError, error);
  }
  initialised(state: unknown): void {
    this.state = this.syncedState = state;
  }
  /** `terminate` is about to run: no job runs after it, and the snapshot gets the last state now. */
  finish(): void {
    this.finished = true;
    if (this.state === this.syncedState) return;
    this.syncedState = this.state;
    this.send({ type: 'callback.state', state: this.state });
  }
  /**
   * The actor stopped, however (`actor.stop()`, an error, or its final state): no callback runs any
   * more, nothing is queued, and the socket is released. XState runs no exit action on `stop()`.
   */
  halt(): void {
    this.finished = this.terminating = true;
    this.release();
  }
  /** As an observer of its actor (no closure per client): the actor completed. */
  complete(): void {
    this.halt();
  }
  /** As an observer of its actor: the actor failed. */
  error(): void {
    this.halt();
  }
  dropOutbox(): void {
    this.terminating = true;
    for (const frame of this.outbox.splice(0)) {
      const message = `a queued ${frame.type} frame was dropped: the client stopped before it could be sent`;
      this.reportError(sendError(message, NOT_CONNECTED_ERROR));
    }
  }
  useTarget(target: ResolvedTarget, generation: number): void {
    this.target = target;
    this.targetGeneration = generation;
  }

  // ---- sending ----

  /** Writes a frame to the open socket. */
  write(frame: Frame): E.Either<SendError, void> {
    return this.ws === null ? NOT_CONNECTED : writeFrame(this.ws, frame);
  }

  /** Queues a frame while not open (the opt-in outbox); `Left` when it cannot. */
  enqueueOutgoing(frame: Frame): E.Either<SendError, void> {
    const options = this.outboxOptions;
    if (options === null || this.terminating || frame.type === 'close') return NOT_CONNECTED;
    if (this.outbox.length >= options.max) {
      if (options.overflow !== 'drop-oldest') {
        return E.left({ type: 'outbox_full', message: `the outbox holds ${options.max} frames already` });
      }
      const dropped = this.outbox.shift() as Frame;
      this.reportError(
        sendError(`a queued ${dropped.type} frame was dropped: the outbox was full`, NOT_CONNECTED_ERROR),
      );
    }
    if (this.outbox === NO_FRAMES) this.outbox = [];
    this.outbox.push(frame);
    return RIGHT_VOID;
  }

  // ---- the socket of the current attempt (driven by the machine's actions) ----

  openSocket(generation: number): void {
    const target = this.target;
    if (target === null || this.targetGeneration !== generation) return;
    this.generation = generation;
    this.socketEnded = false;
    this.ws = openSocket(this, target);
  }

  closeSocket(code: number, reason: string): void {
    if (this.ws === null) return;
    // Reading may be paused (backpressure): the peer's close frame must be read all the same.
    if (this.paused) this.setReading(true);
    closeSocket(this.ws, code, reason);
  }

  probe(heartbeat: HeartbeatOptions | false): void {
    if (this.ws === null || heartbeat === false) return;
    this.probing = true;
    // Nothing is read while paused, so the peer's answer could not count: treat the probe as answered.
    if (this.paused) this.alive();
    else probeSocket(this.ws, heartbeat.frame as Frame | undefined);
  }

  release(): void {
    const ws = this.ws;
    this.ws = null;
    this.isOpen = this.probing = this.paused = false;
    // The attempt's target (its URL, headers, tokens) is kept no longer than its socket.
    this.response = this.target = null;
    if (ws !== null) releaseSocket(ws);
  }

  /** Pauses or resumes reading from the socket; false where that is impossible. */
  setReading(reading: boolean): boolean {
    if (this.ws === null || !setSocketReading(this.ws, reading)) return false;
    this.paused = !reading;
    if (this.paused) this.alive();
    return true;
  }

  // ---- what the socket reports (SocketOwner) ----

  upgraded(status: number, headers: Record<string, string | string[]>): void {
    this.response = { status, headers, protocol: '' };
  }

  opened(protocol: string): void {
    const upgrade = this.response;
    // The upgrade headers and the target (URL, headers, options) are the handshake's: an idle
    // connection keeps neither. Socket errors after open carry no URL or header to scrub.
    this.response = null;
    this.target = null;
    this.isOpen = true;
    const ws = this.ws as WebSocket;
    for (const frame of this.outbox.splice(0)) {
      const written = writeFrame(ws, frame);
      if (E.isLeft(written)) this.reportError(sendError(`a queued ${frame.type} frame was not sent`, written.left));
    }
    const response = { status: upgrade?.status ?? 101, headers: upgrade?.headers ?? {}, protocol };
    this.send({ type: 'socket.open', generation: this.generation, response });
  }

  received(frame: Frame): void {
    if (this.probing) this.alive();
    this.deliver(CALLBACKS.handleFrame, frame);
  }

  alive(): void {
    if (!this.probing) return;
    this.probing = false;
    this.send({ type: 'socket.alive', generation: this.generation });
  }

  ended(reason: DisconnectReason): void {
    if (this.socketEnded) return;
    this.socketEnded = true;
    this.isOpen = this.probing = false;
    this.send({ type: 'socket.closed', generation: this.generation, reason });
  }

  scrub(message: string): string {
    // Only error messages need scrubbing: find the secrets then, not on every attempt.
    return this.target === null ? message : scrub(message, secretsOf(this.target));
  }
}
