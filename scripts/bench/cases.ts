/**
 * The measured cases. The machine is shared and noisy, so the per-message
 * cases are cut into slices run round-robin across the clients (A B C D E,
 * B C D E A, …): a burst of load from another process then lands on every
 * client's slices alike instead of on whichever client happened to be
 * running. Each case closes everything it opened before it returns.
 */
import type { Adapter, Handle, Payload } from './adapters/types.js';
import { sizeOf } from './adapters/types.js';
import type { EchoServer } from './servers.js';
import { quantile } from './stats.js';

/** Messages kept in flight by the throughput case. */
export const WINDOW = 100;

type PerClient<T> = Map<Adapter, T>;

const gc = (globalThis as { gc?: () => void }).gc;

/** Full collections until the heap stops shrinking (at most 4), so heap deltas compare like with like. */
export async function fullGc(): Promise<number> {
  if (gc === undefined) throw new Error('run with --expose-gc');
  let last = Infinity;
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r)); // let finalizers and weak callbacks run
    const used = process.memoryUsage().heapUsed;
    if (used >= last) return used;
    last = used;
  }
  return last;
}

const tcpSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

/**
 * Waits until this process holds no TCP socket: some libraries report
 * "closed" before their socket is gone, and a lingering close must not be
 * charged to the next client measured.
 */
export async function drained(timeoutMs = 15_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (tcpSockets() > 0) {
    if (performance.now() > until) throw new Error(`${tcpSockets()} sockets still open after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** `order` rotated by `k`: slice k starts with a different client. */
const rotate = <T>(order: T[], k: number): T[] => order.map((_, i) => order[(i + k) % order.length] as T);

/** Splits `total` into `slices` near-equal positive parts. */
const parts = (total: number, slices: number): number[] =>
  Array.from({ length: slices }, (_, i) => Math.floor((total * (i + 1)) / slices) - Math.floor((total * i) / slices));

function checkEcho(sent: Payload): (data: unknown) => void {
  const size = sizeOf(sent);
  const text = typeof sent === 'string';
  return (data) => {
    const d = data as Payload | ArrayBuffer;
    if ((typeof d === 'string') !== text || sizeOf(d) !== size) {
      throw new Error(`echo mismatch: got ${typeof d} of ${sizeOf(d)}`);
    }
  };
}

/** One connection per client, opened together and closed together around `body`. */
async function withHandles<T>(order: Adapter[], url: string, body: (h: PerClient<Handle>) => Promise<T>): Promise<T> {
  const handles: PerClient<Handle> = new Map();
  for (const a of order) handles.set(a, await a.open(url));
  try {
    return await body(handles);
  } finally {
    for (const h of handles.values()) await h.close();
    await drained();
  }
}

/** Window-driven exchange on one open handle: `count` echoes with WINDOW in flight. Returns ms. */
function exchange(h: Handle, payload: Payload, count: number): Promise<number> {
  const check = checkEcho(payload);
  return new Promise<number>((resolve, reject) => {
    let sent = 0;
    let received = 0;
    h.onMessage((data) => {
      try {
        check(data);
        received++;
        if (sent < count) {
          sent++;
          h.send(payload);
        } else if (received === count) resolve(performance.now() - start);
      } catch (err) {
        reject(err);
      }
    });
    const start = performance.now();
    for (; sent < Math.min(WINDOW, count); sent++) h.send(payload);
  });
}

export interface ThroughputResult {
  /** Echoed messages per second. */
  rate: number;
  /** The client process's CPU time per echoed message, µs. */
  cpuUs: number;
  /** The client process's CPU time over the wall time of its exchanges, %. */
  clientUtil: number;
  /** The echo server process's CPU time over the same wall time, %. */
  serverUtil: number;
}

/**
 * Throughput: WINDOW messages sent at once, then one more per echo received,
 * `count` echoes per client in `slices` round-robin slices. Returns echoed
 * messages per second, the client process's CPU time per message, and both
 * processes' CPU use over the wall time: the side near 100 % of a core sets
 * the pace. Against a server that is the bottleneck msgs/s is capped by the
 * server, while CPU per message is the client's own cost either way.
 */
export function throughput(
  order: Adapter[],
  server: EchoServer,
  payload: Payload,
  count: number,
  slices: number,
): Promise<PerClient<ThroughputResult>> {
  return withHandles(order, server.url, async (handles) => {
    type Totals = { ms: number; cpu: number; serverCpu: number };
    const totals = new Map<Adapter, Totals>(order.map((a) => [a, { ms: 0, cpu: 0, serverCpu: 0 }]));
    for (const [k, n] of parts(count, slices).entries()) {
      for (const a of rotate(order, k)) {
        const t = totals.get(a) as Totals;
        const server0 = await server.cpuUs();
        const cpu0 = process.cpuUsage();
        t.ms += await exchange(handles.get(a) as Handle, payload, n);
        const used = process.cpuUsage(cpu0);
        t.serverCpu += (await server.cpuUs()) - server0;
        t.cpu += used.user + used.system;
      }
    }
    const result = ({ ms, cpu, serverCpu }: Totals): ThroughputResult => ({
      rate: count / (ms / 1000),
      cpuUs: cpu / count,
      clientUtil: cpu / (ms * 10),
      serverUtil: serverCpu / (ms * 10),
    });
    return new Map(order.map((a) => [a, result(totals.get(a) as Totals)]));
  });
}

/**
 * Ping-pong: one message in flight, `count` round trips per client in slices,
 * each timed with hrtime. p50 and p99 in µs.
 */
export function rtt(
  order: Adapter[],
  url: string,
  payload: Payload,
  count: number,
  slices: number,
): Promise<PerClient<{ p50: number; p99: number }>> {
  return withHandles(order, url, async (handles) => {
    const samples = new Map(order.map((a) => [a, [] as number[]]));
    const check = checkEcho(payload);
    for (const [k, n] of parts(count, slices).entries()) {
      for (const a of rotate(order, k)) {
        const h = handles.get(a) as Handle;
        const out = samples.get(a) as number[];
        await new Promise<void>((resolve, reject) => {
          let i = 0;
          let t0 = process.hrtime.bigint();
          h.onMessage((data) => {
            out.push(Number(process.hrtime.bigint() - t0) / 1000);
            try {
              check(data);
            } catch (err) {
              reject(err);
            }
            if (++i === n) return resolve();
            t0 = process.hrtime.bigint();
            h.send(payload);
          });
          h.send(payload);
        });
      }
    }
    const percentiles = (s: number[]): { p50: number; p99: number } => ({
      p50: quantile(s, 0.5),
      p99: quantile(s, 0.99),
    });
    return new Map(order.map((a) => [a, percentiles(samples.get(a) as number[])]));
  });
}

/**
 * `count` connections opened `batch` at a time (each batch awaited before the
 * next), timed; then, with all of them idle and open, the heap growth per
 * connection after full GCs. One client at a time, since its heap must be
 * measured alone. The server lives in another process, so only the client
 * side is counted.
 */
export async function opens(
  adapter: Adapter,
  url: string,
  count: number,
  batch: number,
): Promise<{ ms: number; heapPerConn: number }> {
  const before = await fullGc();
  const { handles, ms } = await openInBatches((u) => adapter.open(u), url, count, batch);
  await new Promise((r) => setTimeout(r, 50)); // idle: let post-open work (state syncs, timers) settle
  const after = await fullGc();
  await Promise.all(handles.map((h) => h.close()));
  await drained();
  return { ms, heapPerConn: (after - before) / count };
}

/** Opens `count` connections, `batch` at a time, each batch awaited before the next; the wall time in ms. */
export async function openInBatches(
  open: (url: string) => Promise<Handle>,
  url: string,
  count: number,
  batch: number,
): Promise<{ handles: Handle[]; ms: number }> {
  const handles: Handle[] = [];
  const t0 = performance.now();
  for (let n = 0; n < count; n += batch) {
    const size = Math.min(batch, count - n);
    handles.push(...(await Promise.all(Array.from({ length: size }, () => open(url)))));
  }
  return { handles, ms: performance.now() - t0 };
}

/**
 * Reopen: against `/kill-after-open` every connection is terminated by the
 * server as soon as it opens, and the library reconnects (backoff 0). The
 * interval between consecutive opens is the time from one kill back to open.
 * `cycles` per client, in slices; returns the median interval in ms.
 */
export async function reopen(
  order: Adapter[],
  url: string,
  cycles: number,
  slices: number,
): Promise<PerClient<number>> {
  const intervals = new Map(order.map((a) => [a, [] as number[]]));
  for (const [k, n] of parts(cycles, slices).entries()) {
    for (const a of rotate(order, k)) {
      const at = await a.reopen(`${url}kill-after-open`, n + 1);
      await drained();
      (intervals.get(a) as number[]).push(...at.slice(1).map((t, i) => t - (at[i] as number)));
    }
  }
  return new Map(order.map((a) => [a, quantile(intervals.get(a) as number[], 0.5)]));
}
