/**
 * The seed's basic client: connects, says hello, prints what comes back and
 * stops after the echo. Run: `npx tsx examples/basic.ts [ws://url]`.
 */
import { close, createMinchActor, type MinchClient } from '../src/index.js';
import { urlOrEmbedded } from './echoServer.js';

interface State {
  url: string;
  received: number;
}

export const basicClient: MinchClient<State, State> = {
  connect: (state) => state.url,
  handleConnect: (response, state) => {
    console.log(`basic: connected (HTTP ${response.status})`);
    return { type: 'reply', frames: { type: 'text', data: 'hello from minch' }, state };
  },
  handleFrame: (frame, state) => {
    console.log(`basic: received ${frame.type}${frame.type === 'text' ? ` "${frame.data}"` : ''}`);
    return { type: 'stop', reason: 'normal', state: { ...state, received: state.received + 1 } };
  },
  handleDisconnect: (reason, attempt, state) => {
    console.log(`basic: disconnected (${reason.type}), attempt ${attempt}; giving up`);
    return { type: 'stop', reason: reason.type, state };
  },
  terminate: (reason, state) =>
    console.log(`basic: terminate(${JSON.stringify(reason)}) after ${state.received} frame(s)`),
};

export async function main(arg?: string): Promise<void> {
  const { url, server } = await urlOrEmbedded(arg);
  const actor = createMinchActor(basicClient, { url, received: 0 });
  const done = new Promise<void>((resolve) => actor.subscribe({ complete: resolve }));
  actor.start();
  await Promise.race([done, new Promise((r) => setTimeout(r, 10_000).unref())]);
  await close(actor);
  await server?.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv[2]);
