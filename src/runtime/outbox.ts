/**
 * The opt-in outbox: frames sent while the client is not open, written in
 * order right after the next open. Created only when the `outbox` option is
 * on, so most clients carry none. Nothing in it is dropped silently: what is
 * dropped, or left when the client stops, is reported.
 */
import * as E from '../core/either.js';
import { NOT_CONNECTED, NOT_CONNECTED_ERROR, outboxFull, RIGHT_VOID, sendError } from '../core/errors.js';
import type { Frame, MinchError, OutboxOptions, SendError } from '../types.js';

/** Who hears of dropped frames: the client's `handleError`. */
export interface Reporter {
  reportError(error: MinchError): void;
}

export class Outbox {
  private frames: Frame[] = [];
  /** The client is stopping: nothing more is queued. */
  private closed = false;

  constructor(private readonly options: OutboxOptions) {}

  /** Queues a frame; `Left` when it cannot (full and 'reject', a close frame, or stopping). */
  push(frame: Frame, to: Reporter): E.Either<SendError, void> {
    if (this.closed || frame.type === 'close') return NOT_CONNECTED;
    if (this.frames.length >= this.options.max) {
      if (this.options.overflow !== 'drop-oldest') {
        return outboxFull(this.options.max);
      }
      const dropped = this.frames.shift() as Frame;
      to.reportError(sendError(`a queued ${dropped.type} frame was dropped: the outbox was full`, NOT_CONNECTED_ERROR));
    }
    this.frames.push(frame);
    return RIGHT_VOID;
  }

  /** The socket opened: the queued frames, in order, to write now. */
  take(): Frame[] {
    return this.frames.splice(0);
  }

  /** The client stops: what is still queued is reported, and nothing more is taken. */
  close(to: Reporter): void {
    this.closed = true;
    for (const frame of this.take()) {
      const message = `a queued ${frame.type} frame was dropped: the client stopped before it could be sent`;
      to.reportError(sendError(message, NOT_CONNECTED_ERROR));
    }
  }
}
