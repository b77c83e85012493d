/**
 * minch/testing in a real browser (headless Chromium). The fake socket has
 * the browser's interface too, and browser bundles drive every socket
 * through it, so in a page the kit behaves as the browser's own WebSocket
 * does: a refused upgrade is a failed connect with no status, no response
 * headers are seen, there are no protocol pings. The first suite runs the
 * same assertions against the `ws` server of globalSetup.ts and against
 * kitServer.ts, which plays its paths.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { either as E } from 'fp-ts';
import { close, createMinchActor, sendFrame, stateName, type MinchActor, type MinchClient } from '../../src/index.js';
import { createTestServer, SimulatedClock } from '../../src/testing.js';
import { reconnectCycles } from '../helpers/reconnectCycles.js';
import { spyClient } from '../helpers/spyClient.js';
import { kitServer } from './kitServer.js';

const actors: MinchActor[] = [];
function start(actor: MinchActor): MinchActor {
  actors.push(actor);
  return actor.start();
}
afterEach(async () => {
  await Promise.all(actors.splice(0).map((a) => close(a)));
});

const stop = {
  handleDisconnect: (_r: unknown, _a: number, state: unknown) => ({ type: 'stop', reason: 'normal', state }) as const,
};

const PEERS = [
  { name: 'the ws server on loopback', peer: () => ({ base: inject('wsBase'), options: {} }) },
  {
    name: 'minch/testing in the page',
    peer: () => ({ base: 'ws://kit.test', options: { WebSocket: kitServer().WebSocket } }),
  },
];

describe.each(PEERS)('in Chromium, against $name', ({ peer }) => {
  it('opens with status 101, no visible headers, the chosen subprotocol', async () => {
    const { base, options } = peer();
    const spy = spyClient(`${base}/echo`, { connect: () => ({ url: `${base}/echo`, protocols: ['chat'] }) });
    start(createMinchActor(spy.client, null, options));
    const { response } = await spy.on('handleConnect');
    expect(response).toEqual({ status: 101, headers: {}, protocol: 'chat' });
  });

  it('echoes text, and binary arrives as a Uint8Array', async () => {
    const { base, options } = peer();
    const spy = spyClient(`${base}/echo`);
    const actor = start(createMinchActor(spy.client, null, options));
    await spy.on('handleConnect');
    sendFrame(actor, { type: 'text', data: 'hi' });
    sendFrame(actor, { type: 'binary', data: new Uint8Array([1, 2, 3]) });
    await spy.on('handleFrame', { nth: 2 });
    const frames = spy.calls('handleFrame').map((e) => (e as { frame: unknown }).frame);
    expect(frames).toEqual([
      { type: 'text', data: 'hi' },
      { type: 'binary', data: new Uint8Array([1, 2, 3]) },
    ]);
  });

  it('reports the server close code and reason', async () => {
    const { base, options } = peer();
    const spy = spyClient(`${base}/close`, stop);
    start(createMinchActor(spy.client, null, options));
    expect((await spy.on('handleDisconnect')).reason).toEqual({ type: 'closed', code: 4001, reason: 'go away' });
  });

  it('reports a dropped connection as 1006', async () => {
    const { base, options } = peer();
    const spy = spyClient(`${base}/drop`, stop);
    const actor = start(createMinchActor(spy.client, null, options));
    await spy.on('handleConnect');
    sendFrame(actor, { type: 'text', data: 'drop' });
    expect((await spy.on('handleDisconnect')).reason).toEqual({ type: 'closed', code: 1006, reason: '' });
  });

  it('reports a refused upgrade as the browser does: a connect error with no status', async () => {
    const { base, options } = peer();
    const spy = spyClient(`${base}/refuse`, stop);
    start(createMinchActor(spy.client, null, options));
    expect((await spy.on('handleDisconnect')).reason).toMatchObject({ type: 'connect_error', reason: 'error' });
  });

  it('refuses protocol pings, as browsers cannot send them', async () => {
    const { base, options } = peer();
    const spy = spyClient(`${base}/echo`);
    const actor = start(createMinchActor(spy.client, null, options));
    await spy.on('handleConnect');
    const ping = sendFrame(actor, 'ping');
    expect(E.isLeft(ping) && ping.left).toMatchObject({ type: 'unsupported' });
  });
});

describe('minch/testing in Chromium, on a SimulatedClock', () => {
  it('runs 200 drop-and-reconnect cycles with 30 s backoffs', async () => {
    const server = createTestServer();
    const clock = new SimulatedClock();
    const client: MinchClient<number, number> = {
      connect: () => 'ws://kit.test/',
      handleFrame: (_f, n) => ({ type: 'ok', state: n }),
      handleDisconnect: (_r, _a, n) => ({ type: 'reconnect', backoff: 30_000, state: n + 1 }),
    };
    const actor = start(createMinchActor(client, 0, { WebSocket: server.WebSocket, clock }));
    await reconnectCycles(server, clock, () => stateName(actor.getSnapshot()), 200, 30_000);
    expect(actor.getSnapshot().context.state).toBe(200);
    expect(clock.now()).toBe(6_000_000);
  });

  it('sends the heartbeat frame on the clock and finds a silent server', async () => {
    const server = createTestServer();
    const clock = new SimulatedClock();
    const heartbeat = { intervalMs: 1_000, timeoutMs: 500, frame: { type: 'text', data: 'hb' } as const };
    const spy = spyClient('ws://kit.test/', stop);
    start(createMinchActor(spy.client, null, { WebSocket: server.WebSocket, clock, heartbeat }));
    const conn = await server.nextConnection();
    await spy.on('handleConnect');
    clock.increment(1_000);
    expect(await conn.nextFrame()).toEqual({ type: 'text', data: 'hb' });
    clock.increment(500);
    expect((await spy.on('handleDisconnect')).reason).toEqual({ type: 'heartbeat_timeout' });
  });
});
