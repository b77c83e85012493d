/**
 * A list of recorded events with `waitFor`: resolves as soon as a matching
 * event is recorded (or already was), rejects after a bound with the events
 * seen so far. No polling, no sleeps.
 */
export class Recorder<T> {
  readonly events: T[] = [];
  private waiters: { pred: (e: T) => boolean; resolve: (e: T) => void }[] = [];

  push(event: T): void {
    this.events.push(event);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(event)) return true;
      w.resolve(event);
      return false;
    });
  }

  /** Waits for the `nth` (1-based) event matching `pred`. */
  waitFor(pred: (e: T) => boolean, { timeoutMs = 5000, nth = 1, label = 'event' } = {}): Promise<T> {
    const seen = this.events.filter(pred);
    if (seen.length >= nth) return Promise.resolve(seen[nth - 1] as T);
    let count = seen.length;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${label} #${nth}; ` +
              `recorded: ${JSON.stringify(this.events, replacer).slice(0, 2000)}`,
          ),
        );
      }, timeoutMs);
      const waiter = {
        pred: (e: T) => pred(e) && ++count >= nth,
        resolve: (e: T) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      this.waiters.push(waiter);
    });
  }
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  return value;
}
