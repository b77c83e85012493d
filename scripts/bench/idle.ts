/**
 * The idle-connections case (`idle10k`): many connections held open with the
 * library's default heartbeat (raw ws: a hand-written one of the same period)
 * against the ws server, which answers pings by itself. It measures what a
 * server-side fan-out or a dashboard with many sockets pays at rest: heap per
 * connection, the time to open them all, and how much the heartbeats delay
 * the event loop. One client at a time, since its heap must be measured alone
 * and two sets of 10,000 sockets would not fit one process's descriptors.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DEFAULT_HEARTBEAT_MS, type Adapter } from './adapters/types.js';
import { drained, fullGc, openInBatches } from './cases.js';

/**
 * Watched after the last open: one heartbeat interval, so every connection's
 * first ping falls inside, plus slack for the pongs and the timers' own lateness.
 */
export const IDLE_WINDOW_MS = DEFAULT_HEARTBEAT_MS + 2_000;
/** The event-loop monitor samples every this many ms (Node's default is 10). */
export const RESOLUTION_MS = 1;
/** Descriptors a process needs besides its sockets (stdio, the tsx loader, pipes). */
const FD_SLACK = 200;

export interface IdleResult {
  /** Wall time to open all connections, ms. */
  openMs: number;
  /** Heap growth per connection after the window and full GCs, bytes. */
  heapPerConn: number;
  /** How late the event loop ran a 1 ms timer over the window, ms: the 99th percentile and the maximum. */
  delayP99Ms: number;
  delayMaxMs: number;
}

/** A /proc file's text, or undefined where there is none (not Linux: nothing to check against). */
function proc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Fails early, with the fix, when `count` sockets cannot fit: each side of
 * every connection is a descriptor in its own process (the server is a child
 * with the same limit), and every client socket needs an ephemeral port.
 */
export function checkCapacity(count: number): void {
  const fds = /^Max open files\s+(\d+)/m.exec(proc('/proc/self/limits') ?? '')?.[1];
  if (fds !== undefined && Number(fds) < count + FD_SLACK) {
    throw new Error(
      `idle case: ${count} connections need ${count + FD_SLACK} descriptors per process, but the limit is ${fds}: ` +
        `raise it (ulimit -n ${count + FD_SLACK}) or pass a smaller --idle-conns`,
    );
  }
  const range = proc('/proc/sys/net/ipv4/ip_local_port_range')?.trim().split(/\s+/).map(Number);
  if (range !== undefined && (range[1] as number) - (range[0] as number) < count) {
    throw new Error(`idle case: ${count} connections need as many ephemeral ports; the range is ${range.join('–')}`);
  }
}

/**
 * Opens `count` connections `batch` at a time, then watches the event loop
 * for `windowMs` after the last open (with opens under 20 s apart, that holds
 * every connection's first heartbeat and its pong), then measures the heap
 * after full GCs, so no forced GC lands in the window. Closes everything.
 */
export async function idle(
  adapter: Adapter,
  url: string,
  count: number,
  batch: number,
  windowMs: number,
): Promise<IdleResult> {
  const open = adapter.openWithHeartbeat?.bind(adapter);
  if (open === undefined) throw new Error(`${adapter.id} has no heartbeat variant for the idle case`);
  const before = await fullGc();
  const { handles, ms } = await openInBatches(open, url, count, batch);
  if (windowMs > 0 && ms > DEFAULT_HEARTBEAT_MS) {
    process.stderr.write(
      `idle case: opening took ${ms.toFixed(0)} ms, longer than a heartbeat interval: ` +
        'the first pings of the earliest connections fell before the window\n',
    );
  }
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  await new Promise((r) => setTimeout(r, windowMs));
  delay.disable();
  const after = await fullGc();
  await Promise.all(handles.map((h) => h.close()));
  await drained(60_000);
  // The histogram holds the intervals between the monitor's ticks, resolution included: the lateness is the rest.
  const late = (ns: number): number => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  return {
    openMs: ms,
    heapPerConn: (after - before) / count,
    delayP99Ms: late(delay.percentile(99)),
    delayMaxMs: late(delay.max),
  };
}
