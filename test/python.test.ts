/**
 * The core client behaviours against an independent implementation: Python's
 * `websockets` (Debian's python3-websockets).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { either as E } from 'fp-ts';
import { close, createMinchActor, sendFrame, type MinchActor } from '../src/index.js';
import { spyClient } from './helpers/spyClient.js';
import { startPythonPeer, type PythonPeer } from './helpers/pythonPeer.js';

let peer: PythonPeer;
const actors: MinchActor[] = [];
beforeAll(async () => {
  peer = await startPythonPeer();
});
afterAll(() => peer?.stop());
afterEach(async () => {
  await Promise.all(actors.splice(0).map((a) => close(a)));
});

function start(client: Parameters<typeof createMinchActor>[0]): MinchActor {
  const actor = createMinchActor(client, null);
  actors.push(actor);
  actor.start();
  return actor;
}

describe('against python websockets', () => {
  it('connects with status 101 and echoes a text frame sent with sendFrame', async () => {
    const spy = spyClient(`${peer.base}/echo`, {
      handleConnect: (_r, state) => {
        expect(sendFrame(actor, { type: 'text', data: 'über' })).toEqual(E.right(undefined));
        return { type: 'ok', state };
      },
    });
    const actor = start(spy.client);
    expect((await spy.on('handleConnect')).response.status).toBe(101);
    expect((await spy.on('handleFrame')).frame).toEqual({ type: 'text', data: 'über' });
  });

  it('receives text "hello" and an empty binary frame as Uint8Array', async () => {
    const spy = spyClient(`${peer.base}/hello`);
    start(spy.client);
    await spy.on('handleFrame', { nth: 2 });
    expect(spy.calls('handleFrame').map((e) => (e as { frame: unknown }).frame)).toEqual([
      { type: 'text', data: 'hello' },
      { type: 'binary', data: new Uint8Array(0) },
    ]);
  });

  it('answers the server ping with payload 123 automatically', async () => {
    const spy = spyClient(`${peer.base}/ping`);
    start(spy.client);
    expect((await spy.on('handleFrame')).frame).toEqual({ type: 'text', data: 'pong:123' });
  });

  it('reports the server close code and reason to handleDisconnect', async () => {
    const spy = spyClient(`${peer.base}/close`, {
      handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: 'normal', state }),
    });
    start(spy.client);
    expect((await spy.on('handleDisconnect')).reason).toEqual({ type: 'closed', code: 4001, reason: 'go away' });
    await spy.on('terminate');
    expect(spy.calls('handleFrame')).toHaveLength(0);
  });

  it('sends headers from connect(state)', async () => {
    const spy = spyClient('', { connect: () => ({ url: `${peer.base}/headers`, headers: { 'x-hello': 'world' } }) });
    start(spy.client);
    expect((await spy.on('handleFrame')).frame).toEqual({ type: 'text', data: 'world' });
  });

  it('reports a 401 upgrade as upgrade_failed, attempt 1 then 2', async () => {
    const spy = spyClient(`${peer.base}/reject`);
    start(spy.client);
    const first = await spy.on('handleDisconnect');
    expect(first).toMatchObject({ reason: { type: 'upgrade_failed', status: 401 }, attempt: 1 });
    expect((await spy.on('handleDisconnect', { nth: 2 })).attempt).toBe(2);
  });

  it('closes with close(actor): the peer answers the handshake and terminate runs', async () => {
    const spy = spyClient(`${peer.base}/echo`);
    const actor = start(spy.client);
    await spy.on('handleConnect');
    await close(actor);
    expect(spy.calls('terminate')).toEqual([{ cb: 'terminate', reason: 'normal', state: null }]);
    expect(actor.getSnapshot().context.lastDisconnect).toEqual({ type: 'closed', code: 1000, reason: '' });
  });
});
