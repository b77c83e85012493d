/**
 * `npm run bench [-- --quick] [-- --reps N] [-- --clients a,b] [-- --cases x,y]`
 *
 * Spawns the echo server (server.ts) in its own process, then measures every
 * client through the same adapter interface, case by case. Within a case the
 * clients take turns in small slices, and the order rotates every slice and
 * every repetition, so that a burst of noise on this shared 2-core machine
 * lands on all clients alike. Figures are reported as medians with min–max,
 * and as ratios to raw `ws` taken within the same repetition (never across
 * runs). Writes bench-results/bench.json and bench-results/bench.md and
 * prints the tables. `--clients` and `--cases` narrow a run (ws is always
 * kept as the baseline), e.g. to profile one case with `node --cpu-prof`.
 */
import { execSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Adapter } from './adapters/types.js';
import { wsAdapter } from './adapters/ws.js';
import { minchActorAdapter } from './adapters/minchActor.js';
import { minchSimpleAdapter } from './adapters/minchSimple.js';
import { rwsAdapter } from './adapters/rws.js';
import { partysocketAdapter } from './adapters/partysocket.js';
import { opens, reopen, rtt, throughput } from './cases.js';
import { checkGoals, markdown, summarise, type MetricKey, type Raw } from './report.js';

const ALL: Adapter[] = [wsAdapter, minchActorAdapter, minchSimpleAdapter, rwsAdapter, partysocketAdapter];
const BASELINE = wsAdapter.id;
const GOAL_CLIENT = minchActorAdapter.id;

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
};
const quick = args.includes('--quick');

/** Sizes per mode. Quick keeps every case but with fewer messages, to stay under a minute. */
const config = quick
  ? { reps: 2, slices: 5, tput64: 20_000, tput16k: 2_000, rtt: 1_000, conns: 1_000, batch: 100, reopens: 100 }
  : { reps: 5, slices: 10, tput64: 100_000, tput16k: 20_000, rtt: 5_000, conns: 1_000, batch: 100, reopens: 300 };
if (flag('reps') !== undefined) config.reps = Number(flag('reps'));
/** Unrecorded first pass, so JIT warm-up is not charged to whichever client runs first. */
const warmup = { tput64: 3_000, tput16k: 500, rtt: 300, conns: 200, batch: 100, reopens: 30 };

const clients = ALL.filter((a) => a.id === BASELINE || (flag('clients')?.split(',').includes(a.id) ?? true));

const text64 = 'x'.repeat(64);
const bin16k = new Uint8Array(16 * 1024).fill(0x61);

type Sizes = typeof warmup;
type Results = Map<Adapter, Partial<Record<MetricKey, number>>>;
/** A case runs every client of `order` (already rotated for this repetition). */
type Case = { id: string; run(order: Adapter[], url: string, n: Sizes, slices: number): Promise<Results> };
const mapValues = <T>(m: Map<Adapter, T>, f: (v: T) => Partial<Record<MetricKey, number>>): Results =>
  new Map([...m].map(([a, v]) => [a, f(v)]));

const CASES: Case[] = [
  {
    id: 'tput64',
    run: async (o, url, n, s) =>
      mapValues(await throughput(o, url, text64, n.tput64, s), (r) => ({ tput64: r.rate, cpu64: r.cpuUs })),
  },
  {
    id: 'tput16k',
    run: async (o, url, n, s) =>
      mapValues(await throughput(o, url, bin16k, n.tput16k, s), (r) => ({ tput16k: r.rate, cpu16k: r.cpuUs })),
  },
  {
    id: 'rtt',
    run: async (o, url, n, s) =>
      mapValues(await rtt(o, url, text64, n.rtt, s), (r) => ({ rttP50: r.p50, rttP99: r.p99 })),
  },
  {
    id: 'opens',
    // One client at a time (its heap must be measured alone), in the rotated order.
    run: async (o, url, n) => {
      const out: Results = new Map();
      for (const a of o) {
        const r = await opens(a, url, n.conns, n.batch);
        out.set(a, { opens: r.ms, heap: r.heapPerConn / 1024 });
      }
      return out;
    },
  },
  { id: 'reopen', run: async (o, url, n, s) => mapValues(await reopen(o, url, n.reopens, s), (r) => ({ reopen: r })) },
];
const cases = CASES.filter((c) => flag('cases')?.split(',').includes(c.id) ?? true);

async function startServer(): Promise<{ url: string; stop(): void }> {
  const script = fileURLToPath(new URL('./server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
  });
  const { port } = JSON.parse(line) as { port: number };
  return { url: `ws://127.0.0.1:${port}/`, stop: () => child.stdin.end() };
}

function machine() {
  const cpus = os.cpus();
  const git = (cmd: string): string => {
    try {
      return execSync(`git ${cmd}`, { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch {
      return 'unknown';
    }
  };
  // The library under test is what is on disk: say whether that is exactly the commit.
  const commit = git('rev-parse --short HEAD');
  const status = git('status --porcelain -- src machines');
  const uncommittedLibraryFiles = status === '' ? [] : status.split('\n').map((l) => l.trim());
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    availableParallelism: os.availableParallelism(),
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadavgAtStart: os.loadavg(),
    commit,
    uncommittedLibraryFiles,
  };
}

async function main(): Promise<void> {
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function')
    throw new Error('run with node --expose-gc (npm run bench does)');
  const facts = machine();
  const started = performance.now();
  const server = await startServer();
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  log(
    `bench: ${quick ? 'quick' : 'full'}, ${config.reps} repetitions, ${clients.length} clients, server at ${server.url}`,
  );

  try {
    for (const c of cases) await c.run(clients, server.url, warmup, 1);
    log(`warm-up done (${((performance.now() - started) / 1000).toFixed(1)} s)`);

    const raw: Raw = Object.fromEntries(clients.map((a) => [a.id, {}]));
    for (let rep = 0; rep < config.reps; rep++) {
      // Rotate the order each repetition: nobody always runs first or last.
      const order = clients.map((_, i) => clients[(i + rep) % clients.length] as Adapter);
      for (const c of cases) {
        const line: string[] = [];
        for (const [a, result] of await c.run(order, server.url, config, config.slices)) {
          for (const [k, v] of Object.entries(result) as [MetricKey, number][])
            ((raw[a.id] as Record<string, number[]>)[k] ??= []).push(v);
          line.push(
            `${a.id} ${Object.values(result)
              .map((v) => +v.toPrecision(4))
              .join('/')}`,
          );
        }
        log(`rep ${rep + 1}/${config.reps} ${c.id}: ${line.join(', ')}`);
      }
    }

    const summary = summarise(raw, BASELINE);
    const labels = Object.fromEntries(clients.map((a) => [a.id, a.label]));
    const durationS = Math.round((performance.now() - started) / 100) / 10;
    const header = `### ${quick ? 'Quick' : 'Full'} run: ${config.reps} repetitions, Node ${facts.node}, ${facts.cpus} × ${facts.cpuModel}, ${new Date().toISOString().slice(0, 16)}Z, ${durationS} s`;
    const md = markdown(summary, labels, BASELINE, GOAL_CLIENT, header);
    const json = {
      mode: quick ? 'quick' : 'full',
      date: new Date().toISOString(),
      durationS,
      machine: { ...facts, loadavgAtEnd: os.loadavg() },
      config: { ...config, window: 100, text: 64, binary: bin16k.byteLength },
      baseline: BASELINE,
      clients: labels,
      results: summary,
      goals: { client: GOAL_CLIENT, results: checkGoals(summary, GOAL_CLIENT) },
    };
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/bench.json', `${JSON.stringify(json, null, 2)}\n`);
    writeFileSync('bench-results/bench.md', md);
    process.stdout.write(`\n${md}\nwritten: bench-results/bench.json, bench-results/bench.md\n`);
  } finally {
    server.stop();
  }
}

main().then(
  () => process.exit(0), // a library's stray timer (e.g. a reconnect 'uptime' timeout) must not hold the run open
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
