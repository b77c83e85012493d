/**
 * One direction of a fake connection: jobs delivered in order, in
 * microtasks, never on a timer. `paused` holds them until resumed, as a
 * paused socket reads nothing.
 */
export class Pipe {
  private readonly jobs: (() => void)[] = [];
  private head = 0;
  private scheduled = false;
  paused = false;

  push(job: () => void): void {
    this.jobs.push(job);
    this.schedule();
  }
  /** True when a job is waiting and can run. */
  get busy(): boolean {
    return this.head < this.jobs.length && !this.paused;
  }
  schedule(): void {
    if (this.scheduled || !this.busy) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      while (this.busy) {
        const job = this.jobs[this.head] as () => void;
        this.jobs[this.head++] = NOOP;
        job();
        // A pipe that never runs dry (a long paused stretch) drops its spent slots now and then.
        if (this.head >= 1024 && this.head * 2 > this.jobs.length) {
          this.jobs.splice(0, this.head);
          this.head = 0;
        }
      }
      if (this.head === this.jobs.length) {
        this.jobs.length = 0;
        this.head = 0;
      }
    });
  }
}

const NOOP = (): void => {};
