/**
 * `npm run soak`: the resilience figures, measured rather than asserted.
 * - 10,000 reconnect cycles (backoff 0): heap growth from cycle 2,000 to 10,000 (goal < 1 MiB)
 *   and active handles at both checkpoints (goal: equal).
 * - Half-open detection with a 200/200 ms heartbeat against a peer that never answers
 *   (goal: <= interval + timeout + 50 ms = 450 ms).
 * - Time from close(actor) to process exit, from every state (goal: <= 250 ms; the
 *   closing-to-a-silent-peer case includes its closeTimeoutMs of 100 ms).
 * Run with `node --expose-gc --import tsx scripts/soak.ts [cycles]`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { close, createMinchActor } from '../src/index.js';
import { startRawServer } from '../test/helpers/rawServer.js';
import { startSpyServer } from '../test/helpers/spyServer.js';
import { reconnectCycles } from './reconnectCycles.js';

const cycles = Number(process.argv[2] ?? 10_000);
const KiB = 1024;

async function soak() {
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') throw new Error('run with --expose-gc');
  const from = Math.min(2000, Math.floor(cycles / 5));
  const r = await reconnectCycles(cycles, [from, cycles]);
  const growth = (r.heapAt.get(cycles) ?? 0) - (r.heapAt.get(from) ?? 0);
  return {
    cycles: r.cycles,
    from,
    heapGrowthBytes: growth,
    handlesAtFrom: r.handlesAt.get(from),
    handlesAtEnd: r.handlesAt.get(cycles),
    msPerCycle: r.ms / r.cycles,
  };
}

async function halfOpen(runs = 5) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const raw = await startRawServer();
    let openedAt = 0;
    let actor: ReturnType<typeof createMinchActor> | undefined;
    const detected = new Promise<number>((resolve) => {
      actor = createMinchActor(
        {
          connect: () => raw.url,
          handleConnect: (_r, s: null) => {
            openedAt = performance.now();
            return { type: 'ok', state: s };
          },
          handleFrame: (_f, s) => ({ type: 'ok', state: s }),
          handleDisconnect: (reason, _a, state) => {
            resolve(performance.now() - openedAt);
            return { type: 'stop', reason: reason.type, state };
          },
        },
        null,
        { heartbeat: { intervalMs: 200, timeoutMs: 200 } },
      );
      actor.start();
    });
    times.push(await detected);
    if (actor !== undefined) await close(actor);
    await raw.close();
  }
  return times;
}

function exitTime(scenario: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/leakChild.ts', scenario, url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let at = 0;
    child.stdout.on('data', (d) => {
      out += String(d);
      if (at === 0 && out.includes('close-called')) at = performance.now();
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(kill);
      if (code === 0) resolve(performance.now() - at);
      else reject(new Error(`${scenario} exited with ${code}`));
    });
  });
}

async function exits() {
  const echo = await startSpyServer();
  const silentUpgrade = await startRawServer({ handshake: false });
  const silentPeer = await startRawServer();
  const gone = await startSpyServer();
  const refused = gone.url;
  await gone.close();
  const scenarios: [string, string][] = [
    ['connecting', silentUpgrade.url],
    ['open', echo.url],
    ['sendAfter', echo.url],
    ['heartbeat', silentPeer.url],
    ['closing', silentPeer.url],
    ['backoff', refused],
  ];
  const out: Record<string, number> = {};
  for (const [name, url] of scenarios) out[name] = await exitTime(name, url);
  await Promise.all([echo.close(), silentUpgrade.close(), silentPeer.close()]);
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const s = await soak();
console.log(`soak: ${s.cycles} reconnect cycles, ${s.msPerCycle.toFixed(2)} ms each`);
console.log(
  `soak: heap growth from cycle ${s.from} to ${s.cycles}: ` +
    `${(s.heapGrowthBytes / KiB).toFixed(1)} KiB (goal < 1024 KiB)`,
);
console.log(`soak: active handles at cycle ${s.from}: ${s.handlesAtFrom}, at ${s.cycles}: ${s.handlesAtEnd}`);
const h = await halfOpen();
console.log(
  `half-open detection (200/200 ms): median ${median(h).toFixed(0)} ms, ` +
    `max ${Math.max(...h).toFixed(0)} ms (goal <= 450 ms)`,
);
const e = await exits();
for (const [k, v] of Object.entries(e)) console.log(`exit after close from ${k}: ${v.toFixed(0)} ms`);
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/soak.json', JSON.stringify({ soak: s, halfOpenMs: h, exitMs: e }, null, 2));
