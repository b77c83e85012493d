/**
 * The seed's supervised client: replies "welcome" on connect, sends a
 * timestamp every `tickMs` through `self.sendAfter`, and reconnects with
 * `backoff(attempt)` when the connection drops. With no URL it starts an
 * embedded echo server and drops the connection once, to show the reconnect.
 * Run: `npx tsx examples/supervised.ts [ws://url]`.
 */
import { backoff, close, createMinchActor, stateName, type MinchClient } from '../src/index.js';
import { urlOrEmbedded } from './echoServer.js';

interface State {
  url: string;
  ticks: number;
}

export function supervisedClient(tickMs: number): MinchClient<State, State, 'tick'> {
  return {
    init: (state, self) => {
      // Like Process.send_after in init: one timer chain for the client's whole life, across reconnects.
      self.sendAfter('tick', tickMs);
      return { type: 'ok', state };
    },
    connect: (state) => state.url,
    handleConnect: (_response, state) => {
      console.log('supervised: connected; replying "welcome"');
      return { type: 'reply', frames: { type: 'text', data: 'welcome' }, state };
    },
    handleFrame: (frame, state) => {
      console.log(`supervised: received ${frame.type}${frame.type === 'text' ? ` "${frame.data}"` : ''}`);
      return { type: 'ok', state };
    },
    handleInfo: (message, state, self) => {
      if (message !== 'tick') return { type: 'ok', state };
      self.sendAfter('tick', tickMs);
      return {
        type: 'reply',
        frames: { type: 'text', data: new Date().toISOString() },
        state: { ...state, ticks: state.ticks + 1 },
      };
    },
    handleError: (error, state) => {
      console.log(`supervised: ${error.type}: ${error.message}`);
      return { type: 'ok', state };
    },
    handleDisconnect: (reason, attempt, state) => {
      const ms = backoff(attempt);
      console.log(
        `supervised: disconnected (${reason.type}${reason.type === 'closed' ? ` ${reason.code}` : ''}), ` +
          `attempt ${attempt}, reconnecting in ${ms} ms`,
      );
      return { type: 'reconnect', backoff: ms, state };
    },
    terminate: (reason, state) =>
      console.log(`supervised: terminate(${JSON.stringify(reason)}) after ${state.ticks} tick(s)`),
  };
}

export async function main(arg?: string, { tickMs = 5000, runMs = 11_000 } = {}): Promise<void> {
  const { url, server } = await urlOrEmbedded(arg);
  const actor = createMinchActor(supervisedClient(tickMs), { url, ticks: 0 });
  let last: unknown;
  actor.subscribe((s) => {
    const state = stateName(s);
    if (state !== last) console.log(`supervised: state ${state}`);
    last = state;
  });
  actor.start();
  if (server !== null) setTimeout(() => server.dropAll(), Math.min(2000, runMs / 3)).unref();
  await new Promise((r) => setTimeout(r, runMs));
  await close(actor);
  await server?.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv[2]);
