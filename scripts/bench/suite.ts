/**
 * The cases as the orchestrator runs them: each turns one measurement of
 * cases.ts or idle.ts into figures keyed by metric. The echo cases run
 * against every selected echo server, each server's figures under its own
 * keys, so a client's ratio is always to raw ws against the same server.
 */
import type { Adapter } from './adapters/types.js';
import { opens, reopen, rtt, throughput } from './cases.js';
import { idle } from './idle.js';
import { on, type EchoMetric, type MetricKey } from './report.js';
import type { EchoServer } from './servers.js';

/** Messages, round trips, connections and cycles per case; the same shape for the warm-up and the measured runs. */
export interface Sizes {
  tput64: number;
  tput16k: number;
  rtt: number;
  conns: number;
  batch: number;
  reopens: number;
  idleConns: number;
  idleWindowMs: number;
}

export type Results = Map<Adapter, Partial<Record<MetricKey, number>>>;

export interface Where {
  /** The echo servers, in this repetition's order. */
  echo: EchoServer[];
  /** The ws server, which the connection cases use. */
  ws: EchoServer;
}

export interface Case {
  id: string;
  /** Run once, after the repetitions, instead of in every repetition. */
  once?: boolean;
  /** Run against every selected echo server (the others use the ws server only). */
  perServer?: boolean;
  /** Only these clients take part (by default, all). */
  takes?(a: Adapter): boolean;
  /** Runs every client of `order` (already rotated for this repetition). */
  run(order: Adapter[], where: Where, n: Sizes, slices: number): Promise<Results>;
}

type EchoResults = Map<Adapter, Partial<Record<EchoMetric, number>>>;
type EchoRun = (order: Adapter[], server: EchoServer, n: Sizes, slices: number) => Promise<EchoResults>;

const text64 = 'x'.repeat(64);
const bin16k = new Uint8Array(16 * 1024).fill(0x61);
export const PAYLOAD_BYTES = { text: text64.length, binary: bin16k.byteLength };

/** Runs an echo case against each server in turn and keys every figure by its server. */
const againstEach =
  (run: EchoRun): Case['run'] =>
  async (order, where, n, slices) => {
    const out: Results = new Map(order.map((a) => [a, {}]));
    for (const server of where.echo) {
      for (const [a, figures] of await run(order, server, n, slices)) {
        const into = out.get(a) as Partial<Record<MetricKey, number>>;
        for (const [m, v] of Object.entries(figures) as [EchoMetric, number][]) into[on(m, server.id)] = v;
      }
    }
    return out;
  };

const mapValues = <T>(m: Map<Adapter, T>, f: (v: T) => Partial<Record<EchoMetric, number>>): EchoResults =>
  new Map([...m].map(([a, v]) => [a, f(v)]));

export const CASES: Case[] = [
  {
    id: 'tput64',
    perServer: true,
    run: againstEach(async (o, server, n, s) =>
      mapValues(await throughput(o, server, text64, n.tput64, s), (r) => ({
        tput64: r.rate,
        cpu64: r.cpuUs,
        util64: r.clientUtil,
        srv64: r.serverUtil,
      })),
    ),
  },
  {
    id: 'tput16k',
    perServer: true,
    run: againstEach(async (o, server, n, s) =>
      mapValues(await throughput(o, server, bin16k, n.tput16k, s), (r) => ({
        tput16k: r.rate,
        cpu16k: r.cpuUs,
        util16k: r.clientUtil,
        srv16k: r.serverUtil,
      })),
    ),
  },
  {
    id: 'rtt',
    perServer: true,
    run: againstEach(async (o, server, n, s) =>
      mapValues(await rtt(o, server.url, text64, n.rtt, s), (r) => ({ rttP50: r.p50, rttP99: r.p99 })),
    ),
  },
  {
    id: 'opens',
    // One client at a time (its heap must be measured alone), in the rotated order.
    run: async (order, where, n) => {
      const out: Results = new Map();
      for (const a of order) {
        const r = await opens(a, where.ws.url, n.conns, n.batch);
        out.set(a, { opens: r.ms, heap: r.heapPerConn / 1024 });
      }
      return out;
    },
  },
  {
    id: 'reopen',
    run: async (order, where, n, s) =>
      new Map([...(await reopen(order, where.ws.url, n.reopens, s))].map(([a, ms]) => [a, { reopen: ms }])),
  },
  {
    // Opt-in (about a minute per client): only when --cases names it.
    id: 'idle10k',
    once: true,
    takes: (a) => a.openWithHeartbeat !== undefined,
    run: async (order, where, n) => {
      const out: Results = new Map();
      for (const a of order) {
        const r = await idle(a, where.ws.url, n.idleConns, n.batch, n.idleWindowMs);
        const figures = { idleOpens: r.openMs, idleHeap: r.heapPerConn / 1024 };
        out.set(a, n.idleWindowMs > 0 ? { ...figures, idleP99: r.delayP99Ms, idleMax: r.delayMaxMs } : figures);
      }
      return out;
    },
  },
];

/** Cases left out unless `--cases` names them. */
export const OPT_IN = new Set(['idle10k']);
