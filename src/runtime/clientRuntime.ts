/**
 * The runtime of one client actor: its mailbox (callbacks one at a time), the
 * user state, the socket of the current attempt, and the opt-in outbox. The
 * machine drives it through its named actions (see attach.ts).
 *
 * Data frames take the lean path: the socket hands each frame straight to the
 * mailbox, with no transition, and the user state reaches
 * `snapshot.context.state` once per batch (one socket read).
 */
import * as E from '../core/either.js';
import type { AnyActorRef } from 'xstate';
import type { MinchEvent } from '../../machines/events.js';
import {
  closeSocket,
  openSocket,
  pingSocket,
  releaseSocket,
  setSocketReading,
  writeFrame,
  type SocketOwner,
} from '../adapter.js';
import { callbackError, NOT_CONNECTED, sendError } from '../core/errors.js';
import { scrub, secretsOf, type ResolvedTarget } from '../core/target.js';
import type { DisconnectReason, Frame, HeartbeatOptions, Logger, MinchClient, WebSocketClass } from '../types.js';
import type { MinchError, Self, SendError, UpgradeResponse } from '../types.js';
import { channels } from '../diagnostics.js';
import { CALLBACKS, ClientSelf, type Callback } from './callbacks.js';
import { Mailbox } from './mailbox.js';
import type { Outbox } from './outbox.js';
import * as telemetry from './telemetry.js';
import type WebSocket from 'isomorphic-ws';

const PING: Frame = Object.freeze({ type: 'ping' });

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
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
  /** The opt-in outbox; none unless the option is on. */
  outbox: Outbox | null = null;

  private syncedState: unknown = undefined;
  private syncScheduled = false;
  private finished = false;
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
  /** For diagnostics: when the attempt and its connection started, the last probe. */
  attemptAt = 0;
  openAt = 0;
  probeAt = 0;
  /** The stop was published (once). */
  stopPublished = false;

  constructor(
    readonly client: MinchClient<unknown, unknown, unknown>,
    readonly logger: Logger,
    /** The `WebSocket` option; undefined for `isomorphic-ws`. */
    readonly WebSocket: WebSocketClass | undefined,
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
    callback.queued?.(this, a, b);
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
      this.syncState();
    });
  }

  private syncState(): void {
    if (this.state === this.syncedState) return;
    this.syncedState = this.state;
    this.send({ type: 'callback.state', state: this.state });
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
    this.syncState();
  }
  /**
   * The actor stopped, however (`actor.stop()`, an error, or its final state): no callback runs any
   * more, nothing is queued, and the socket is released. XState runs no exit action on `stop()`.
   */
  halt(): void {
    this.finished = true;
    this.dropOutbox();
    this.release();
    // XState's own stop() and an actor error leave no output: say which it was.
    const snapshot = this.actor?.getSnapshot() as { status: string; output?: { reason?: unknown } } | undefined;
    const reason = snapshot?.status === 'done' ? snapshot.output?.reason : { type: snapshot?.status ?? 'stopped' };
    telemetry.stopped(this, reason);
  }
  /** As an observer of its actor (no closure per client): the actor completed. */
  complete(): void {
    this.halt();
  }
  /** As an observer of its actor: the actor failed. */
  error(): void {
    this.halt();
  }
  /** `terminate` was asked for: what the outbox still holds is reported before it runs. */
  dropOutbox(): void {
    this.outbox?.close(this);
  }
  useTarget(target: ResolvedTarget, generation: number): void {
    this.target = target;
    this.targetGeneration = generation;
  }

  // ---- sending ----

  /** Writes a frame to the open socket. */
  write(frame: Frame): E.Either<SendError, void> {
    if (this.ws === null) return NOT_CONNECTED;
    const written = writeFrame(this.ws, frame);
    if (channels.frameSent.hasSubscribers && E.isRight(written)) telemetry.frameSent(this, frame);
    return written;
  }

  /** `handleDisconnect` chose to reconnect (or its default applies). */
  reconnect(backoffMs: number): void {
    this.send({ type: 'callback.reconnect', backoffMs });
  }

  /** Queues a frame while not open (the opt-in outbox); `Left` when it cannot. */
  enqueueOutgoing(frame: Frame): E.Either<SendError, void> {
    return this.outbox === null ? NOT_CONNECTED : this.outbox.push(frame, this);
  }

  // ---- the socket of the current attempt (driven by the machine's actions) ----

  openSocket(generation: number): void {
    const target = this.target;
    if (target === null || this.targetGeneration !== generation) return;
    this.generation = generation;
    this.socketEnded = false;
    telemetry.attempt(this, generation, target.safeUrl);
    this.ws = openSocket(this, target, this.WebSocket);
  }

  closeSocket(code: number, reason: string): void {
    if (this.ws === null) return;
    // Reading may be paused (backpressure): the peer's close frame must be read all the same.
    if (this.paused) this.setReading(true);
    closeSocket(this.ws, code, reason);
    if (channels.frameSent.hasSubscribers) telemetry.frameSent(this, { type: 'close', code, reason });
  }

  probe(heartbeat: HeartbeatOptions | false): void {
    if (this.ws === null || heartbeat === false) return;
    this.probing = true;
    this.probeAt = performance.now();
    // Nothing is read while paused, so the peer's answer could not count: treat the probe as answered.
    if (this.paused) return this.alive(false);
    if (heartbeat.frame !== undefined) {
      this.write(heartbeat.frame as Frame);
      return;
    }
    const bytes = pingSocket(this.ws);
    if (bytes >= 0 && channels.frameSent.hasSubscribers) telemetry.frameSent(this, PING, bytes);
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
    if (this.paused) this.alive(false);
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
    telemetry.opened(this, protocol);
    for (const frame of this.outbox?.take() ?? []) {
      const written = this.write(frame);
      if (E.isLeft(written)) this.reportError(sendError(`a queued ${frame.type} frame was not sent`, written.left));
    }
    const response = { status: upgrade?.status ?? 101, headers: upgrade?.headers ?? {}, protocol };
    this.send({ type: 'socket.open', generation: this.generation, response });
  }

  received(frame: Frame, bytes: number): void {
    if (this.probing) this.alive();
    if (channels.frameReceived.hasSubscribers) telemetry.frameReceived(this, frame, bytes);
    this.deliver(CALLBACKS.handleFrame, frame);
  }

  /** A sign of life; `measured` when a frame really arrived (not reading paused), so its round trip counts. */
  alive(measured = true): void {
    if (!this.probing) return;
    this.probing = false;
    if (measured) telemetry.answered(this);
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
