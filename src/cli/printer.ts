/**
 * Writes events to stdout/stderr: human lines, or JSON lines on stdout. In a
 * terminal the backoff line counts down in place.
 */
import { formatCountdown, formatHuman, formatJson, type CliEvent } from './output.js';

export interface Streams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export class Printer {
  /** While the terminal's last stderr line is a countdown without its newline: its first text. */
  private pending: string | null = null;
  private countdown: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly json: boolean,
    private readonly streams: Streams,
  ) {}

  emit(event: CliEvent): void {
    if (this.json) {
      this.streams.stdout.write(`${formatJson(event)}\n`);
      return;
    }
    const line = formatHuman(event);
    if (line === null) return;
    this.stopCountdown();
    const stream = line.stream === 'out' ? this.streams.stdout : this.streams.stderr;
    if (
      event.type === 'state' &&
      event.state === 'backoff' &&
      this.streams.stderr.isTTY === true &&
      event.backoffMs >= 1000
    ) {
      // Counts down in place until the next event.
      this.streams.stderr.write(line.text);
      this.pending = line.text;
      this.countdown = setInterval(() => {
        this.streams.stderr.write(`\r\x1b[K${formatCountdown(Math.max(0, event.nextAttemptAt - Date.now()))}`);
      }, 250);
      return;
    }
    stream.write(`${line.text}\n`);
  }

  /** A plain message on stderr in both modes (the --insecure warning). */
  stderr(text: string): void {
    this.stopCountdown();
    this.streams.stderr.write(`${text}\n`);
  }

  stopCountdown(): void {
    if (this.countdown !== undefined) clearInterval(this.countdown);
    this.countdown = undefined;
    // The scrollback keeps the delay that was chosen, as in a pipe.
    if (this.pending !== null) this.streams.stderr.write(`\r\x1b[K${this.pending}\n`);
    this.pending = null;
  }
}
