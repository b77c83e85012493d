/**
 * The `minch` session: a Minch client (the library's own callback object)
 * wired to stdin, the printer, signals and the exit code.
 */
import { createInterface } from 'node:readline';
import * as E from '../core/either.js';
import {
  backoff,
  close,
  createMinchActor,
  sendFrame,
  stateName,
  type HeartbeatOptions,
  type Logger,
  type MinchActor,
  type MinchClient,
  type UpgradeResponse,
} from '../index.js';
import { DEFAULTS } from '../core/options.js';
import type { CliOptions } from './args.js';
import { startEchoServer, type EchoServer } from './echoServer.js';
import { disconnectEvent, frameEvent, type CliEvent } from './output.js';
import { Printer, type Streams } from './printer.js';

/** How long --once waits for the replies after stdin ended. */
export const ONCE_WAIT_MS = 2000;
/** The embedded server drops the first connection after this long, to show a reconnect. */
export const DEMO_DROP_MS = 3000;

export interface SessionIO extends Streams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** What the session learns from the client's callbacks. */
export interface Hooks {
  emit(event: CliEvent): void;
  opened(response: UpgradeResponse): void;
  /** A text or binary frame arrived. */
  reply(): void;
}

/** The stop reason the client gives when it does not reconnect. */
interface GaveUp {
  type: 'gave_up';
  exitCode: number;
  message: string;
}

/** The Minch client behind `minch`: connect with the CLI's options, report everything, reconnect per --max-retries. */
export function cliClient(opts: CliOptions, url: string, hooks: Hooks): MinchClient<null, null> {
  return {
    connect: () => ({
      url,
      headers: opts.headers,
      protocols: opts.protocols,
      options: opts.insecure ? { rejectUnauthorized: false } : {},
    }),
    handleConnect: (response, state) => {
      hooks.opened(response);
      return { type: 'ok', state };
    },
    handleFrame: (frame, state) => {
      const event = frameEvent(frame, opts.binary);
      if (event !== null) hooks.emit(event);
      if (frame.type === 'text' || frame.type === 'binary') hooks.reply();
      return { type: 'ok', state };
    },
    handleError: (error, state) => {
      hooks.emit({ type: 'error', message: error.message });
      return { type: 'ok', state };
    },
    handleDisconnect: (reason, attempt, state) => {
      const reconnect = opts.maxRetries === null || attempt <= opts.maxRetries;
      hooks.emit(disconnectEvent(reason, attempt, reconnect, opts.verbose));
      if (reconnect) return { type: 'reconnect', backoff: backoff(attempt), state };
      const normal = reason.type === 'closed' && reason.code === 1000;
      const message = normal
        ? 'the server closed the connection (1000)'
        : opts.reconnect
          ? `gave up after ${attempt} attempt${attempt === 1 ? '' : 's'} in a row (--max-retries ${opts.maxRetries})`
          : 'not reconnecting (--no-reconnect)';
      const stop: GaveUp = { type: 'gave_up', exitCode: normal ? 0 : 1, message };
      return { type: 'stop', reason: stop, state };
    },
  };
}

export function heartbeatOf(opts: CliOptions): HeartbeatOptions | false | undefined {
  if (opts.pingIntervalMs === 0) return false;
  if (opts.pingIntervalMs === undefined && opts.pingTimeoutMs === undefined) return undefined;
  const { intervalMs, timeoutMs } = DEFAULTS.heartbeat;
  return { intervalMs: opts.pingIntervalMs ?? intervalMs, timeoutMs: opts.pingTimeoutMs ?? timeoutMs };
}

function stopInfo(reason: unknown): { exitCode: number; reason: string } {
  if (reason === 'normal') return { exitCode: 0, reason: 'normal' };
  const r = reason as Partial<GaveUp> | undefined;
  return typeof r?.exitCode === 'number'
    ? { exitCode: r.exitCode, reason: r.message ?? 'stopped' }
    : { exitCode: 1, reason: JSON.stringify(reason) ?? 'stopped' };
}

/** Runs one session to its end and returns the exit code. */
export async function runSession(opts: CliOptions, io: SessionIO): Promise<number> {
  const printer = new Printer(opts.json, io);
  const emit = (event: CliEvent): void => printer.emit(event);
  if (opts.insecure) {
    const message =
      '--insecure: TLS certificates are not verified (rejectUnauthorized: false); ' +
      'anyone on the network path can read and change this connection';
    printer.stderr(`! warning: ${message}`);
    if (opts.json) emit({ type: 'warning', message });
  }
  let server: EchoServer | null = null;
  let url = opts.url;
  if (url === null) {
    server = await startEchoServer(opts.once ? {} : { dropFirstAfterMs: DEMO_DROP_MS });
    url = server.url;
    const drop = opts.once ? '' : `; it drops the first connection after ${DEMO_DROP_MS / 1000} s, to show a reconnect`;
    emit({ type: 'info', message: `no URL given: started an embedded echo server on ${url}${drop}` });
  }
  if (opts.headers.length > 0) {
    if (opts.verbose)
      for (const [name, value] of opts.headers) emit({ type: 'info', message: `header ${name}: ${value}` });
    else
      emit({
        type: 'info',
        message: `headers: ${opts.headers.map(([n]) => n).join(', ')} (values hidden; --verbose shows them)`,
      });
  }

  let sent = 0;
  let replies = 0;
  let stdinEnded = false;
  let openedOnce = false;
  let queuedNotice = false;
  let stopping = false;
  let finished = false;
  let onceTimer: ReturnType<typeof setTimeout> | undefined;

  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (...args) => emit({ type: 'warning', message: args.map(String).join(' ') }),
    error: (...args) => emit({ type: 'error', message: args.map(String).join(' ') }),
  };
  const hooks: Hooks = {
    emit,
    opened: (response) => {
      const shown = opts.verbose ? url : (actor.getSnapshot().context.url ?? url);
      emit({
        type: 'state',
        state: 'open',
        url: shown,
        protocol: response.protocol,
        ...(opts.verbose && { status: response.status, headers: response.headers }),
      });
      openedOnce = true;
      queuedNotice = false;
      checkOnce();
    },
    reply: () => {
      replies++;
      checkOnce();
    },
  };
  const heartbeat = heartbeatOf(opts);
  const actor: MinchActor = createMinchActor(cliClient(opts, url, hooks), null, {
    logger,
    outbox: { max: 10_000 },
    ...(heartbeat !== undefined && { heartbeat }),
    ...(opts.connectTimeoutMs !== undefined && { connectTimeoutMs: opts.connectTimeoutMs }),
  });

  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void close(actor);
  };
  const checkOnce = (): void => {
    if (!opts.once || !stdinEnded || !openedOnce || stopping) return;
    if (replies >= sent) stop();
    else onceTimer ??= setTimeout(stop, ONCE_WAIT_MS);
  };

  const done = new Promise<number>((resolve) => {
    let shownGeneration = 0;
    let shownNext: number | null = null;
    let last: unknown;
    actor.subscribe({
      next: (s) => {
        const c = s.context;
        const state = stateName(s);
        if (state === 'connecting' && c.url !== null && c.generation !== shownGeneration) {
          shownGeneration = c.generation;
          emit({
            type: 'state',
            state: 'connecting',
            url: opts.verbose ? (url as string) : c.url,
            retry: c.lastDisconnect === null ? 0 : c.attempt,
          });
        }
        if (state === 'backoff' && c.backoffMs !== null && c.nextAttemptAt !== null && c.nextAttemptAt !== shownNext) {
          shownNext = c.nextAttemptAt;
          emit({
            type: 'state',
            state: 'backoff',
            backoffMs: c.backoffMs,
            nextAttemptAt: c.nextAttemptAt,
            attempt: c.attempt,
            reason: c.lastDisconnect,
          });
        }
        if (state === 'closing' && last !== 'closing') emit({ type: 'state', state: 'closing' });
        last = state;
      },
      complete: () => {
        const s = actor.getSnapshot();
        const info = stopInfo(s.output?.reason);
        const d = s.context.lastDisconnect;
        emit({
          type: 'state',
          state: 'stopped',
          ...info,
          lastClose: d?.type === 'closed' ? { code: d.code, reason: d.reason } : null,
        });
        resolve(info.exitCode);
      },
      error: (err) => {
        emit({ type: 'error', message: `the client failed: ${err instanceof Error ? err.message : String(err)}` });
        resolve(1);
      },
    });
  });
  actor.start();

  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity, terminal: false });
  lines.on('line', (line) => {
    if (stopping) return;
    const queued = stateName(actor.getSnapshot()) !== 'open';
    const result = sendFrame(actor, { type: 'text', data: line });
    if (E.isLeft(result)) {
      const left = result.left;
      const why = left.type === 'not_connected' ? 'not connected' : left.message;
      emit({ type: 'error', message: `line not sent: ${why}` });
      return;
    }
    sent++;
    emit({ type: 'sent', frame: 'text', length: Buffer.byteLength(line), queued });
    if (queued && !queuedNotice)
      emit({ type: 'info', message: 'not connected yet: lines are queued and sent on the next open' });
    queuedNotice ||= queued;
  });
  lines.on('close', () => {
    if (finished) return;
    stdinEnded = true;
    if (opts.once) checkOnce();
    else if (io.stdin.isTTY === true)
      stop(); // Ctrl-D at a terminal
    else if (!stopping)
      emit({
        type: 'info',
        message: 'stdin ended; still listening (Ctrl-C to quit, --once to close after the replies)',
      });
  });

  let interrupts = 0;
  const onSignal = (): void => {
    if (++interrupts > 1) process.exit(130); // a second Ctrl-C does not wait for the closing handshake
    if (!opts.json && io.stderr.isTTY === true) printer.stderr(''); // past the terminal's "^C"
    stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const code = await done;
  finished = true;
  if (onceTimer !== undefined) clearTimeout(onceTimer);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  lines.close();
  printer.stopCountdown();
  await server?.close();
  return code;
}
