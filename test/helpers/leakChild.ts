/**
 * A child process for the leak tests: brings a client into one state, calls
 * close, and then does nothing. If any timer, socket or listener survived,
 * the process would not exit by itself.
 * Usage: node --import tsx test/helpers/leakChild.ts <scenario> <url> [close|abort]
 */
import {
  close,
  connect,
  createMinchActor,
  sendInfo,
  stateName,
  type MinchActor,
  type MinchClient,
} from '../../src/index.js';

const [scenario = '', url = '', mode = 'close'] = process.argv.slice(2);
const controller = new AbortController();
const say = (line: string): void => void process.stdout.write(`${line}\n`);

function until(actor: MinchActor, pred: (value: string) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (pred(stateName(actor.getSnapshot()))) return resolve();
    const sub = actor.subscribe((s) => {
      if (pred(stateName(s))) {
        sub.unsubscribe();
        resolve();
      }
    });
  });
}

let opened!: () => void;
const openedOnce = new Promise<void>((r) => (opened = r));

const client: MinchClient<null, null, string> = {
  connect: () => url,
  handleConnect: (_r, state, self) => {
    if (scenario === 'sendAfter') self.sendAfter('later', 60_000);
    opened();
    return { type: 'ok', state };
  },
  handleFrame: (_f, state) => ({ type: 'ok', state }),
  handleInfo: (message, state) =>
    message === 'close' ? { type: 'close', code: 1000, reason: 'bye', state } : { type: 'ok', state },
  handleDisconnect: (_r, _a, state) => ({ type: 'reconnect', backoff: 60_000, state }),
};

async function main(): Promise<void> {
  if (scenario === 'simple-timeout') {
    say('close-called');
    const pending = connect(url, { timeoutMs: mode === 'abort' ? 60_000 : 100, signal: controller.signal });
    if (mode === 'abort') setTimeout(() => controller.abort(), 50);
    const result = await pending;
    say(`result ${result._tag}`);
    return;
  }
  const heartbeat = scenario === 'heartbeat' ? { intervalMs: 10, timeoutMs: 60_000 } : undefined;
  const actor = createMinchActor(client, null, {
    closeTimeoutMs: 100,
    signal: controller.signal,
    ...(heartbeat && { heartbeat }),
  });
  actor.start();
  switch (scenario) {
    case 'connecting':
      await until(actor, (v) => v === 'connecting');
      await new Promise((r) => setTimeout(r, 50));
      break;
    case 'open':
    case 'sendAfter':
      await openedOnce;
      break;
    case 'heartbeat':
      await openedOnce;
      await new Promise((r) => setTimeout(r, 50));
      break;
    case 'closing':
      await openedOnce;
      sendInfo(actor, 'close');
      await until(actor, (v) => v === 'closing');
      break;
    case 'backoff':
      await until(actor, (v) => v === 'backoff');
      break;
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
  say(`state ${stateName(actor.getSnapshot())}`);
  say('close-called');
  if (mode === 'abort') {
    const done = new Promise<void>((resolve) => actor.subscribe({ complete: resolve }));
    controller.abort();
    await done;
  } else await close(actor);
  say('closed');
}

await main();
