/**
 * A Node service holding many clients under one supervisor. On SIGTERM or
 * SIGINT it closes every client with 1001 "going away" and exits by itself
 * (no process.exit: nothing is left running).
 * Run: `npx tsx examples/service.ts [ws://url] [clients=100]`.
 */
import { backoff, close, createSupervisor, stateName, type MinchClient } from '../src/index.js';
import { urlOrEmbedded } from './echoServer.js';

interface State {
  url: string;
  n: number;
}

const worker: MinchClient<State, State> = {
  connect: (state) => state.url,
  handleFrame: (_frame, state) => ({ type: 'ok', state }),
  handleDisconnect: (_reason, attempt, state) => ({
    type: 'reconnect',
    backoff: backoff(attempt, { jitter: 0.5 }),
    state,
  }),
};

const [arg, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 100);
const { url, server } = await urlOrEmbedded(arg === '-' ? undefined : arg);
const supervisor = createSupervisor(
  Array.from({ length: count }, (_, n) => ({
    id: `worker-${n}`,
    client: worker,
    initArg: { url, n },
    options: { heartbeat: { intervalMs: 20_000, timeoutMs: 20_000 } },
  })),
  { maxRestarts: 10, withinMs: 10_000 },
);
supervisor.start();

let open = 0;
for (let n = 0; n < count; n++) {
  const ref = supervisor.system.get(`worker-${n}`);
  let counted = false;
  ref.subscribe((s: { value: unknown }) => {
    if (!counted && stateName(s) === 'open' && (counted = true) && ++open === count) console.log(`ready ${count}`);
  });
}

async function shutdown(signal: string): Promise<void> {
  console.log(`${signal}: closing ${count} clients with 1001`);
  const started = performance.now();
  await close(supervisor, { code: 1001, reason: 'going away' });
  await server?.close();
  console.log(`stopped in ${(performance.now() - started).toFixed(0)} ms`);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
