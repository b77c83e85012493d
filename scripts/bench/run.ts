/**
 * `npm run bench [-- --quick] [-- --reps N] [-- --clients a,b] [-- --cases x,y] [-- --servers ws,fast]`
 * `npm run bench -- --cases idle10k [--idle-conns N]` for the idle-connections case (opt-in: it takes minutes)
 * `npm run bench -- --cases kit1k` for minch/testing's 1,000 reconnect cycles on a SimulatedClock alone
 *
 * Spawns the echo servers (server.ts: `ws`; fastServer.ts: hand-rolled, not
 * the bottleneck) in their own processes, then measures every client through
 * the same adapter interface, case by case. The echo cases run against both
 * servers; the connection cases against the ws server. Within a case the
 * clients take turns in small slices, and the order rotates every slice and
 * every repetition, so that a burst of noise on this shared 2-core machine
 * lands on all clients alike. Figures are reported as medians with min–max,
 * and as ratios to raw `ws` taken within the same repetition against the
 * same server (never across runs). Writes bench-results/bench.json and
 * bench-results/bench.md and prints the tables. `--clients`, `--cases` and
 * `--servers` narrow a run (ws is always kept as the baseline), e.g. to
 * profile one case with `node --cpu-prof`.
 *
 * Only this harness is compiled by tsx; the library is loaded from its built
 * `dist/` (see adapters/minchLib.ts), which `npm run bench` builds first.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { Adapter } from './adapters/types.js';
import { wsAdapter } from './adapters/ws.js';
import { minchActorAdapter } from './adapters/minchActor.js';
import { minchOtelAdapter } from './adapters/minchOtel.js';
import { minchSimpleAdapter } from './adapters/minchSimple.js';
import { rwsAdapter } from './adapters/rws.js';
import { partysocketAdapter } from './adapters/partysocket.js';
import { WINDOW } from './cases.js';
import { checkCapacity, IDLE_WINDOW_MS } from './idle.js';
import { KIT_CYCLES, kitCycles } from './kit.js';
import { markdown } from './markdown.js';
import { checkGoals, summarise, type MetricKey, type Raw } from './report.js';
import { SERVERS, startServer, type EchoServer } from './servers.js';
import { CASES, OPT_IN, PAYLOAD_BYTES, type Case, type Results, type Sizes, type Where } from './suite.js';

const ALL: Adapter[] = [
  wsAdapter,
  minchActorAdapter,
  minchSimpleAdapter,
  rwsAdapter,
  partysocketAdapter,
  minchOtelAdapter,
];
const BASELINE = wsAdapter.id;
const GOAL_CLIENT = minchActorAdapter.id;

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
};
const list = (name: string): string[] | undefined => flag(name)?.split(',');
const quick = args.includes('--quick');

/** Sizes per mode. Quick keeps every case but with fewer messages, to stay under a minute per server. */
const config: Sizes & { reps: number; slices: number } = {
  ...(quick
    ? { reps: 2, slices: 5, tput64: 20_000, tput16k: 2_000, rtt: 1_000, reopens: 100 }
    : { reps: 5, slices: 10, tput64: 100_000, tput16k: 20_000, rtt: 5_000, reopens: 300 }),
  conns: 1_000,
  batch: 100,
  idleConns: Number(flag('idle-conns') ?? 10_000),
  idleWindowMs: IDLE_WINDOW_MS,
};
if (flag('reps') !== undefined) config.reps = Number(flag('reps'));
/**
 * Unrecorded first pass, so JIT warm-up is not charged to whichever client
 * runs first. The idle case's warm-up only opens and closes (no 22 s window).
 */
const warmup: Sizes = {
  tput64: 3_000,
  tput16k: 500,
  rtt: 300,
  conns: 200,
  batch: 100,
  reopens: 30,
  idleConns: 500,
  idleWindowMs: 0,
};

const clients = ALL.filter((a) => a.id === BASELINE || (list('clients')?.includes(a.id) ?? a !== minchOtelAdapter));
// minch/otel instruments every Minch client in the process: its figures mean something only on their own.
if (clients.includes(minchOtelAdapter) && clients.some((a) => a !== minchOtelAdapter && a.id.startsWith('minch'))) {
  throw new Error('run minch-otel on its own: --clients minch-otel (instrumentation covers every Minch client)');
}
const servers = SERVERS.filter((s) => list('servers')?.includes(s) ?? true);
const cases = CASES.filter((c) => list('cases')?.includes(c.id) ?? !OPT_IN.has(c.id));
const withKit = list('cases')?.includes('kit1k') ?? true;
const taking = (c: Case, order: Adapter[]): Adapter[] => order.filter((a) => c.takes?.(a) ?? true);

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
  // The library under test is the build of what is on disk: say whether that is exactly the commit.
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

const log = (s: string): void => void process.stderr.write(`${s}\n`);

/** Appends one run of a case to `raw` and logs it. */
function record(raw: Raw, label: string, results: Results): void {
  const line: string[] = [];
  for (const [a, figures] of results) {
    for (const [k, v] of Object.entries(figures) as [MetricKey, number][]) {
      ((raw[a.id] as Record<string, number[]>)[k] ??= []).push(v);
    }
    const values = Object.values(figures).map((v) => +v.toPrecision(4));
    line.push(`${a.id} ${values.join('/')}`);
  }
  log(`${label}: ${line.join(', ')}`);
}

/** The kit1k case: one warm-up, then `reps` runs; its own table, as there is no ws baseline. */
async function kit(reps: number): Promise<{ md: string; ms: number[] }> {
  await kitCycles(100);
  const ms: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    ms.push(await kitCycles());
    log(`rep ${rep + 1}/${reps} kit1k: ${(ms.at(-1) as number).toFixed(0)} ms`);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  const md =
    `#### minch/testing: ${KIT_CYCLES.toLocaleString('en')} drop-and-reconnect cycles, 30 s backoffs, SimulatedClock\n\n` +
    `| wall time, median (min–max) | virtual time |\n|---|---|\n` +
    `| ${median.toFixed(0)} ms (${(sorted[0] as number).toFixed(0)}–${(sorted.at(-1) as number).toFixed(0)}) | ` +
    `${((KIT_CYCLES * 30) / 3600).toFixed(1)} h |\n`;
  return { md, ms };
}

async function main(): Promise<void> {
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
    throw new Error('run with node --expose-gc (npm run bench does)');
  }
  if (cases.length === 0 && withKit) {
    const { md } = await kit(config.reps);
    process.stdout.write(`\n${md}`);
    return;
  }
  if (cases.some((c) => c.id === 'idle10k')) checkCapacity(config.idleConns); // fail now, not minutes in
  const facts = machine();
  const started = performance.now();
  const ws = await startServer('ws');
  const echoIds = cases.some((c) => c.perServer) ? servers : [];
  const echo: EchoServer[] = await Promise.all(echoIds.map((s) => (s === 'ws' ? ws : startServer(s))));
  // Alternate which server goes first, so neither always runs on a fresher (or hotter) process.
  const where = (rep: number): Where => ({ ws, echo: echo.map((_, i) => echo[(i + rep) % echo.length] as EchoServer) });
  const mode = quick ? 'quick' : 'full';
  log(`bench: ${mode}, ${config.reps} repetitions, cases ${cases.map((c) => c.id)}, ${clients.length} clients`);
  if (echo.length > 0) log(`echo servers: ${echo.map((s) => `${s.id} at ${s.url}`).join(', ')}`);

  try {
    for (const c of cases) await c.run(taking(c, clients), where(0), warmup, 1);
    log(`warm-up done (${((performance.now() - started) / 1000).toFixed(1)} s)`);

    const raw: Raw = Object.fromEntries(clients.map((a) => [a.id, {}]));
    for (let rep = 0; rep < config.reps; rep++) {
      // Rotate the order each repetition: nobody always runs first or last.
      const order = clients.map((_, i) => clients[(i + rep) % clients.length] as Adapter);
      for (const c of cases.filter((c) => !c.once)) {
        const results = await c.run(taking(c, order), where(rep), config, config.slices);
        record(raw, `rep ${rep + 1}/${config.reps} ${c.id}`, results);
      }
    }
    for (const c of cases.filter((c) => c.once)) {
      record(raw, `${c.id} (once)`, await c.run(taking(c, clients), where(0), config, config.slices));
    }

    const summary = summarise(raw, BASELINE);
    const labels = Object.fromEntries(clients.map((a) => [a.id, a.label]));
    const durationS = Math.round((performance.now() - started) / 100) / 10;
    const kind = cases.every((c) => c.once)
      ? `${cases.map((c) => c.id).join(', ')} run (once)`
      : `${quick ? 'Quick' : 'Full'} run: ${config.reps} repetitions`;
    const header =
      `### ${kind}, Node ${facts.node}, ${facts.cpus} × ${facts.cpuModel}, ` +
      `${new Date().toISOString().slice(0, 16)}Z, ${durationS} s`;
    const md = markdown(summary, {
      labels,
      baseline: BASELINE,
      goalClient: GOAL_CLIENT,
      header,
      servers,
      idleConns: config.idleConns,
    });
    const json = {
      mode,
      date: new Date().toISOString(),
      durationS,
      machine: { ...facts, loadavgAtEnd: os.loadavg() },
      library: 'dist/src/index.js (built by npm run build)',
      config: { ...config, window: WINDOW, ...PAYLOAD_BYTES, servers, cases: cases.map((c) => c.id) },
      baseline: BASELINE,
      clients: labels,
      results: summary,
      goals: { client: GOAL_CLIENT, results: checkGoals(summary, GOAL_CLIENT) },
    };
    const kitRun = withKit ? await kit(config.reps) : null;
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/bench.json', `${JSON.stringify({ ...json, kit1kMs: kitRun?.ms }, null, 2)}\n`);
    writeFileSync('bench-results/bench.md', kitRun === null ? md : `${md}\n${kitRun.md}`);
    process.stdout.write(`\n${md}\n${kitRun?.md ?? ''}\nwritten: bench-results/bench.json, bench-results/bench.md\n`);
  } finally {
    for (const s of new Set([ws, ...echo])) s.stop();
  }
}

main().then(
  () => process.exit(0), // a library's stray timer (e.g. a reconnect 'uptime' timeout) must not hold the run open
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
