/**
 * The mailbox of one client: jobs run one at a time, in arrival order, and a
 * job whose callback returned a Promise holds the queue until it settles, so a
 * slow async `handleFrame` delays the next frame but never reorders it.
 *
 * A job is a callback of the table and up to two arguments. They are kept as
 * flat triples, not as objects, and a slot is cleared as soon as its job
 * starts: a frame is garbage once handled, even while a long queue drains.
 */
import type { Callback } from './callbacks.js';

/** Compact the queue once this many slots at its head are spent. */
const COMPACT_AT = 3 * 1024;

export abstract class Mailbox {
  private readonly queue: unknown[] = [];
  private head = 0;
  /** A job is running, or a drain is scheduled: new jobs must wait their turn. */
  private busy = false;

  /** Runs one job; returns a Promise only when its callback was asynchronous. */
  protected abstract runJob(callback: Callback, a: unknown, b: unknown): Promise<void> | undefined;
  /** Called each time the queue runs empty. */
  protected abstract idle(): void;

  /** True when no job is running, queued or scheduled. */
  get settled(): boolean {
    return !this.busy;
  }

  /** Queues a job, to run after the current transition (never inside one). */
  enqueue(callback: Callback, a?: unknown, b?: unknown): void {
    this.queue.push(callback, a, b);
    if (this.busy) return;
    this.busy = true;
    queueMicrotask(() => this.drain());
  }

  /**
   * Runs a job at once when nothing is queued or running, else queues it: the
   * frame path. Socket events never arrive in the middle of a transition, so
   * a frame need not wait for a microtask.
   */
  deliver(callback: Callback, a: unknown, b?: unknown): void {
    if (this.busy) {
      this.queue.push(callback, a, b);
      return;
    }
    this.busy = true;
    const pending = this.runJob(callback, a, b);
    if (pending !== undefined) void pending.then(() => this.drain());
    else if (this.head < this.queue.length) this.drain();
    else {
      // The common case: the frame's callback queued nothing.
      this.busy = false;
      this.idle();
    }
  }

  private drain(): void {
    const q = this.queue;
    while (this.head < q.length) {
      const h = this.head;
      const callback = q[h] as Callback;
      const a = q[h + 1];
      const b = q[h + 2];
      q[h] = q[h + 1] = q[h + 2] = undefined;
      this.head = h + 3;
      if (this.head >= COMPACT_AT && this.head * 2 > q.length) {
        q.splice(0, this.head);
        this.head = 0;
      }
      const pending = this.runJob(callback, a, b);
      if (pending !== undefined) {
        void pending.then(() => this.drain());
        return;
      }
    }
    q.length = 0;
    this.head = 0;
    this.busy = false;
    this.idle();
  }
}
