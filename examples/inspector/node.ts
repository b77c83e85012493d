/**
 * Watch a Minch client live in the Stately inspector, from Node.
 *
 * `createInspectorServer` (from @statelyai/inspect/server) runs a local bridge
 * on http://localhost:8080; open it in a browser (the page embeds the Stately
 * inspector UI, stately.ai/inspect, which your browser loads from the web).
 * `createWebSocketInspector` streams the actor's inspection events to it.
 * Run: `npx tsx examples/inspector/node.ts [ws://url]` — stops after 30 s.
 */
import { createWebSocketInspector } from '@statelyai/inspect';
import { createInspectorServer } from '@statelyai/inspect/server';
import { backoff, close, createMinchActor } from '../../src/index.js';
import { urlOrEmbedded } from '../echoServer.js';

const { url, server } = await urlOrEmbedded(process.argv[2]);
const bridge = createInspectorServer({ port: 8080, autoOpen: false });
const inspector = createWebSocketInspector({ url: 'ws://localhost:8080' });

const actor = createMinchActor(
  {
    connect: (state: { url: string }) => state.url,
    handleConnect: (_r, state, self) => {
      self.sendAfter('drop me', 5000);
      return { type: 'reply', frames: { type: 'text', data: 'hello inspector' }, state };
    },
    handleFrame: (_frame, state) => ({ type: 'ok', state }),
    handleInfo: (_message, state) => {
      server?.dropAll();
      return { type: 'ok', state };
    },
    handleDisconnect: (_reason, attempt, state) => ({
      type: 'reconnect',
      backoff: backoff(attempt, { min: 1000 }),
      state,
    }),
  },
  { url },
  { inspect: inspector.inspect },
);
actor.start();
console.log('inspector: open http://localhost:8080 to watch the statechart');
await new Promise((r) => setTimeout(r, 30_000));
await close(actor);
inspector.stop();
bridge.stop();
await server?.close();
