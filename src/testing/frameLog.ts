/**
 * What a test server received from one client: every frame in order, the
 * pongs among them, and whether the connection has ended, with waits for
 * what comes next. The kit's connections keep one each, and so does the
 * real-server twin of the behaviour suite (test/helpers/wsTestServer.ts).
 */
import type { Frame } from '../types.js';

const EMPTY = new Uint8Array(0);

export class FrameLog {
  /** Every frame the client sent, in order: text, binary, ping, pong and its close frame. */
  readonly frames: Frame[] = [];
  /** The payloads of the client's pongs, in order. */
  readonly pongs: Uint8Array[] = [];
  #cursor = 0;
  #ended = false;
  readonly #waiters: (() => void)[] = [];

  push(frame: Frame): void {
    this.frames.push(frame);
    if (frame.type === 'pong') this.pongs.push(frame.data ?? EMPTY);
    this.#wake();
  }

  /** The connection ended: waits for a frame then get the close, waits for a pong fail. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /**
   * The next text or binary frame not yet taken (with `control`, pings and
   * pongs too); the close frame; then `{ type: 'close', code: 1006 }` once the
   * connection ended with nothing left.
   */
  nextFrame(control = false): Promise<Frame> {
    return this.#until(() => {
      while (this.#cursor < this.frames.length) {
        const frame = this.frames[this.#cursor++] as Frame;
        if (frame.type === 'text' || frame.type === 'binary' || frame.type === 'close' || control) return frame;
      }
      return this.#ended ? { type: 'close', code: 1006, reason: '' } : undefined;
    });
  }

  /** The payload of the pong after the first `seen`; rejects if the connection ends before it. */
  pongAfter(seen: number): Promise<Uint8Array> {
    return this.#until(() => {
      if (this.pongs.length > seen) return this.pongs[seen];
      if (this.#ended) throw new Error('the connection ended before a pong');
      return undefined;
    });
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves with the first value `take` gives, trying again after each change; rejects if it throws. */
  #until<T>(take: () => T | undefined): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = (): void => {
        let got: T | undefined;
        try {
          got = take();
        } catch (err) {
          return reject(err);
        }
        if (got !== undefined) resolve(got);
        else this.#waiters.push(attempt);
      };
      attempt();
    });
  }
}
