/**
 * The client actor against a real `ws` server on loopback: docs/behaviour.md
 * beyond Minch's own suite (M1–M13 are in test/behaviours.test.ts, run against
 * a real server and against minch/testing).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { either as E } from 'fp-ts';
import {
  close,
  createMinchActor,
  defineClient,
  sendFrame,
  sendInfo,
  stateName,
  type MinchActor,
} from '../src/index.js';
import { startSpyServer, type SpyServer } from './helpers/spyServer.js';
import { spyClient } from './helpers/spyClient.js';
import { refusedPort } from './helpers/refusedPort.js';

let server: SpyServer;
const actors: MinchActor[] = [];

function start(actor: MinchActor): MinchActor {
  actors.push(actor);
  actor.start();
  return actor;
}

/** Resolves when the actor's snapshot first satisfies `pred`. */
function until(
  actor: MinchActor,
  pred: (s: ReturnType<MinchActor['getSnapshot']>) => boolean,
  timeoutMs = 5000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pred(actor.getSnapshot())) return resolve();
    const timer = setTimeout(() => {
      sub.unsubscribe();
      reject(new Error(`snapshot never matched; last value ${stateName(actor.getSnapshot())}`));
    }, timeoutMs);
    const sub = actor.subscribe((s) => {
      if (pred(s)) {
        clearTimeout(timer);
        sub.unsubscribe();
        resolve();
      }
    });
  });
}

beforeEach(async () => {
  server = await startSpyServer();
});

afterEach(async () => {
  await Promise.all(actors.splice(0).map((a) => close(a)));
  await server.close();
});

describe('callbacks, ordering and results', () => {
  it('is open while handleConnect runs: sendFrame from inside it is Right', async () => {
    let sent: unknown;
    const spy = spyClient(server.url, {
      handleConnect: (_r, state) => {
        sent = sendFrame(actor, { type: 'text', data: 'from handleConnect' });
        return { type: 'ok', state };
      },
    });
    const actor = start(createMinchActor(spy.client, null));
    await spy.on('handleConnect');
    expect(sent).toEqual(E.right(undefined));
    expect(stateName(actor.getSnapshot())).toBe('open');
    await server.recorder.waitFor((e) => e.type === 'message' && e.data === 'from handleConnect');
  });

  it('handles frames one at a time in arrival order, even when handleFrame is async and slow', async () => {
    const seen: string[] = [];
    let running = 0;
    let overlapped = false;
    const spy = spyClient<number>(server.url, {
      handleFrame: async (frame, state) => {
        running++;
        if (running > 1) overlapped = true;
        await new Promise((r) => setImmediate(r));
        if (frame.type === 'text') seen.push(frame.data);
        running--;
        return { type: 'ok', state: state + 1 };
      },
    });
    const actor = start(createMinchActor(spy.client, 0));
    await spy.on('handleConnect');
    const ws = await server.socket();
    for (let i = 0; i < 50; i++) ws.send(`m${i}`);
    await until(actor, (s) => s.context.state === 50);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    expect(overlapped).toBe(false);
  });

  it('delivers every frame before the handleDisconnect of its connection', async () => {
    const spy = spyClient(server.url, {
      handleFrame: async (_f, state) => {
        await new Promise((r) => setImmediate(r));
        return { type: 'ok', state };
      },
      handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: 'normal', state }),
    });
    start(createMinchActor(spy.client, null));
    await spy.on('handleConnect');
    const ws = await server.socket();
    for (let i = 0; i < 20; i++) ws.send(`f${i}`);
    ws.close(1000, 'end');
    await spy.on('terminate');
    const order = spy.recorder.events
      .map((e) => e.cb)
      .filter((cb) => cb === 'handleFrame' || cb === 'handleDisconnect');
    expect(order).toEqual([...Array(20).fill('handleFrame'), 'handleDisconnect']);
  });

  it('sends reply frames in order, including binary and text', async () => {
    const spy = spyClient(server.url, {
      handleInfo: (_m, state) => ({
        type: 'reply',
        frames: [
          { type: 'text', data: 'a' },
          { type: 'binary', data: new Uint8Array([1, 2]) },
          { type: 'text', data: 'b' },
        ],
        state,
      }),
    });
    const actor = start(createMinchActor(spy.client, null));
    await spy.on('handleConnect');
    sendInfo(actor, 'x');
    await server.recorder.waitFor((e) => e.type === 'message', { nth: 3 });
    const msgs = server.recorder.events.filter((e) => e.type === 'message').map((e) => (e as { data: unknown }).data);
    expect(msgs).toEqual(['a', new Uint8Array([1, 2]), 'b']);
  });

  it('reports a throwing callback to handleError and keeps working', async () => {
    const spy = spyClient<number>(server.url, {
      handleFrame: (frame, state) => {
        if (frame.type === 'text' && frame.data === 'boom') throw new Error('kaput');
        return { type: 'ok', state: state + 1 };
      },
    });
    const actor = start(createMinchActor(spy.client, 0));
    await spy.on('handleConnect');
    const ws = await server.socket();
    ws.send('boom');
    ws.send('fine');
    const err = await spy.on('handleError');
    expect(err.error).toMatchObject({ type: 'callback_error', callback: 'handleFrame' });
    expect(err.error.message).toContain('kaput');
    await until(actor, (s) => s.context.state === 1);
    expect(stateName(actor.getSnapshot())).toBe('open');
  });

  it.each([
    ['undefined', undefined],
    ['a string', 'ok'],
    ['an unknown type', { type: 'sure', state: 0 }],
    ['a reconnect', { type: 'reconnect', backoff: 5, state: 0 }],
    ['an invalid close code', { type: 'close', code: 1001, state: 0 }],
    ['a reply with an oversize ping', { type: 'reply', frames: { type: 'ping', data: new Uint8Array(126) }, state: 0 }],
  ])('reports handleInfo returning %s as invalid_result and stays open', async (_name, result) => {
    const spy = spyClient(server.url, { handleInfo: () => result as never });
    const actor = start(createMinchActor(spy.client, 0));
    await spy.on('handleConnect');
    sendInfo(actor, 'x');
    const err = await spy.on('handleError');
    expect(err.error).toMatchObject({ type: 'invalid_result', callback: 'handleInfo' });
    sendInfo(actor, 'y');
    await spy.on('handleError', { nth: 2 });
    expect(stateName(actor.getSnapshot())).toBe('open');
  });

  it('reports a reply while not connected as a send_error, never dropping it silently', async () => {
    await server.close();
    server = await startSpyServer({ silent: true });
    const spy = spyClient(server.url, {
      handleInfo: (_m, state) => ({ type: 'reply', frames: { type: 'text', data: 'x' }, state }),
    });
    const actor = start(createMinchActor(spy.client, null));
    sendInfo(actor, 'now');
    const err = await spy.on('handleError');
    expect(err.error).toMatchObject({ type: 'send_error', error: { type: 'not_connected' } });
  });

  it('calls connect(state) before every attempt with the current state', async () => {
    await server.close();
    server = await startSpyServer({ rejectWith: () => 503 });
    let token = 0;
    const spy = spyClient<number>(server.url, {
      handleDisconnect: (_r, _a, state) => ({ type: 'reconnect', backoff: 0, state: state + 1 }),
      connect: () => ({ url: server.url, headers: { authorization: `Bearer t${++token}` } }),
    });
    start(createMinchActor(spy.client, 0));
    await spy.on('connect', { nth: 3 });
    expect(spy.calls('connect').map((e) => (e as { state: number }).state)).toEqual([0, 1, 2]);
    const auth = server.recorder.events
      .filter((e) => e.type === 'upgrade')
      .map((e) => (e as { headers: Record<string, string> }).headers['authorization']);
    expect(auth.slice(0, 2)).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('passes headers (object or pairs) and subprotocols from connect(state)', async () => {
    await server.close();
    server = await startSpyServer({ chooseProtocol: (p) => (p.has('v2') ? 'v2' : false) });
    const spy = spyClient(server.url, {
      connect: () => ({
        url: server.url,
        headers: [
          ['x-hello', 'world'],
          ['x-two', '2'],
        ],
        protocols: ['v1', 'v2'],
      }),
    });
    start(createMinchActor(spy.client, null));
    const { response } = await spy.on('handleConnect');
    const up = await server.recorder.waitFor((e) => e.type === 'upgrade');
    expect((up as { headers: Record<string, string> }).headers).toMatchObject({ 'x-hello': 'world', 'x-two': '2' });
    expect(response.protocol).toBe('v2');
  });

  it('counts attempts: open, drop, refused, refused, open, drop → 1, 2, 3, 1', async () => {
    let refuse = false;
    await server.close();
    server = await startSpyServer({ rejectWith: () => (refuse ? 503 : undefined) });
    let disconnects = 0;
    const spy = spyClient(server.url, {
      handleDisconnect: (_r, _attempt, state) => {
        disconnects++;
        refuse = disconnects === 1 || disconnects === 2;
        return disconnects >= 4 ? { type: 'stop', reason: 'normal', state } : { type: 'reconnect', backoff: 0, state };
      },
    });
    start(createMinchActor(spy.client, null));
    await spy.on('handleConnect');
    (await server.socket(1)).terminate();
    await spy.on('handleConnect', { nth: 2 });
    (await server.socket(2)).terminate();
    await spy.on('terminate');
    expect(spy.calls('handleDisconnect').map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2, 3, 1]);
    expect((spy.calls('handleDisconnect')[0] as { reason: unknown }).reason).toMatchObject({
      type: 'closed',
      code: 1006,
    });
  });

  it('shows backoff in the snapshot with the chosen delay and when the next attempt is due', async () => {
    const spy = spyClient(server.url, {
      handleDisconnect: (_r, _a, state) => ({ type: 'reconnect', backoff: 60_000, state }),
    });
    const actor = start(createMinchActor(spy.client, null));
    await spy.on('handleConnect');
    (await server.socket()).close(4000, 'later');
    const before = Date.now();
    await until(actor, (s) => stateName(s) === 'backoff' && s.context.backoffMs !== null);
    const { context } = actor.getSnapshot();
    expect(context.backoffMs).toBe(60_000);
    expect(context.attempt).toBe(1);
    expect(context.lastDisconnect).toEqual({ type: 'closed', code: 4000, reason: 'later' });
    expect(context.nextAttemptAt).toBeGreaterThanOrEqual(before + 60_000 - 5);
    expect(JSON.parse(JSON.stringify(actor.getSnapshot())).context.lastDisconnect).toEqual(context.lastDisconnect);
  });

  it('keeps the user state in the snapshot', async () => {
    const spy = spyClient<string[]>(server.url, {
      handleFrame: (f, state) => ({ type: 'ok', state: [...state, f.type === 'text' ? f.data : '?'] }),
    });
    const actor = start(createMinchActor(spy.client, [] as string[]));
    await spy.on('handleConnect');
    (await server.socket()).send('one');
    await until(actor, (s) => (s.context.state as string[]).length === 1);
    expect(actor.getSnapshot().context.state).toEqual(['one']);
  });

  it('delivers self.sendAfter messages to handleInfo, and a cancelled one never', async () => {
    const spy = spyClient(server.url, {
      handleConnect: (_r, state, self) => {
        const cancel = self.sendAfter('cancelled', 10);
        cancel();
        self.sendAfter('tick', 20);
        return { type: 'ok', state };
      },
    });
    start(createMinchActor(spy.client, null));
    const info = await spy.on('handleInfo');
    expect(info.message).toBe('tick');
    expect(spy.calls('handleInfo')).toHaveLength(1);
  });

  it('stops from handleDisconnect: terminate runs with the reason, never another attempt', async () => {
    await server.close();
    server = await startSpyServer({ rejectWith: () => 403 });
    const spy = spyClient(server.url, {
      handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: { why: 'forbidden' }, state }),
    });
    const actor = start(createMinchActor(spy.client, null));
    const t = await spy.on('terminate');
    expect(t.reason).toEqual({ why: 'forbidden' });
    await until(actor, (s) => s.status === 'done');
    expect(spy.calls('connect')).toHaveLength(1);
  });

  it('close(actor) is idempotent and resolves at once on a stopped client', async () => {
    const spy = spyClient(server.url);
    const actor = start(createMinchActor(spy.client, null));
    await spy.on('handleConnect');
    await Promise.all([close(actor), close(actor)]);
    await close(actor);
    expect(spy.calls('terminate')).toHaveLength(1);
    expect(sendFrame(actor, 'ping')).toEqual(E.left({ type: 'not_connected' }));
  });

  it('refuses invalid frames with Left invalid_frame naming the rule', async () => {
    const spy = spyClient(server.url);
    const actor = start(createMinchActor(spy.client, null));
    await spy.on('handleConnect');
    const r = sendFrame(actor, { type: 'close', code: 1001 });
    expect(E.isLeft(r) && r.left.type === 'invalid_frame' && r.left.message).toMatch(/1000 or 3000-4999/);
    expect(sendFrame(actor, { type: 'text', data: 'still open' })).toEqual(E.right(undefined));
  });

  it('a connect callback returning a bad scheme reaches handleError and the client retries', async () => {
    const spy = spyClient(server.url, { connect: () => 'http://127.0.0.1:1/' });
    start(createMinchActor(spy.client, null));
    const err = await spy.on('handleError');
    expect(err.error).toMatchObject({ type: 'invalid_result', callback: 'connect' });
    expect(err.error.message).toContain('ws://');
    const d = await spy.on('handleDisconnect');
    expect(d.reason).toMatchObject({ type: 'connect_error', reason: 'invalid_target' });
    await spy.on('connect', { nth: 2 });
  });

  it('reports a refused port as connect_error econnrefused', async () => {
    const port = await refusedPort();
    const spy = spyClient(`ws://127.0.0.1:${port}/`, {
      handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: 'normal', state }),
    });
    start(createMinchActor(spy.client, null));
    const d = await spy.on('handleDisconnect');
    expect(d.reason).toMatchObject({ type: 'connect_error', reason: 'econnrefused' });
  });

  it('runs a client written with defineClient, its state typed from the annotation', async () => {
    const counter = defineClient<{ n: number }>({
      connect: () => server.url,
      handleFrame: (_frame, state) => ({ type: 'ok', state: { n: state.n + 1 } }),
    });
    const actor = start(createMinchActor(counter, { n: 0 }));
    (await server.socket()).send('one');
    await until(actor, (s) => (s.context.state as { n: number }).n === 1);
  });

  it('throws at once for a client without handleFrame or with a bad option', () => {
    expect(() => createMinchActor({ connect: () => server.url } as never, null)).toThrow(/handleFrame is required/);
    expect(() =>
      createMinchActor({ connect: () => server.url, handleFrame: (_f, s) => ({ type: 'ok', state: s }) }, null, {
        closeTimeoutMs: -1,
      }),
    ).toThrow(RangeError);
    expect(() =>
      createMinchActor({ connect: () => server.url, handleFrame: (_f, s) => ({ type: 'ok', state: s }) }, null, {
        connectTimeout: 5,
      } as never),
    ).toThrow(/unknown option "connectTimeout"; the options are connectTimeoutMs/);
  });
});
