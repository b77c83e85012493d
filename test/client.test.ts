/**
 * The client actor against a real `ws` server on loopback: Minch's own test
 * suite (docs/behaviour.md §13, M1–M13), then the rest of docs/behaviour.md.
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

describe('Minch behaviours M1–M13 (docs/behaviour.md §13)', () => {
  it('M1 runs init, then connect(state) before connecting', async () => {
    const spy = spyClient<{ n: number }>(server.url);
    start(createMinchActor(spy.client, { n: 1 }));
    await spy.on('handleConnect');
    expect(spy.recorder.events.slice(0, 3).map((e) => e.cb)).toEqual(['init', 'connect', 'handleConnect']);
    expect(spy.calls('connect')[0]).toEqual({ cb: 'connect', state: { n: 1 } });
  });

  it('M2 calls handleConnect with status 101 and the response headers', async () => {
    const spy = spyClient(server.url);
    start(createMinchActor(spy.client, null));
    const { response } = await spy.on('handleConnect');
    expect(response.status).toBe(101);
    expect(response.headers['upgrade']).toMatch(/websocket/i);
    expect(typeof response.headers['sec-websocket-accept']).toBe('string');
  });

  it('M3 reports a 401 upgrade as upgrade_failed with attempt 1, then attempt 2', async () => {
    await server.close();
    server = await startSpyServer({ rejectWith: () => 401 });
    const spy = spyClient(server.url);
    start(createMinchActor(spy.client, 'st'));
    const first = await spy.on('handleDisconnect');
    expect(first.reason).toMatchObject({ type: 'upgrade_failed', status: 401 });
    expect(first.attempt).toBe(1);
    expect((first.reason as { headers: Record<string, string> }).headers['x-reason']).toBe('test');
    const second = await spy.on('handleDisconnect', { nth: 2 });
    expect(second.attempt).toBe(2);
    expect(spy.calls('handleConnect')).toHaveLength(0);
  });

  it('M4 reports an unresolvable host as a connect error, attempt 1 then 2', async () => {
    const lookup = (_host: string, _opts: unknown, cb: (err: Error) => void) =>
      cb(Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' }));
    const spy = spyClient('ws://nowhere.invalid/', {
      connect: () => ({ url: 'ws://nowhere.invalid/', options: { lookup } }),
    });
    start(createMinchActor(spy.client, null));
    const first = await spy.on('handleDisconnect');
    expect(first.reason).toMatchObject({ type: 'connect_error', reason: 'enotfound' });
    expect(first.attempt).toBe(1);
    expect((await spy.on('handleDisconnect', { nth: 2 })).attempt).toBe(2);
  });

  it('M5 sends a ping when handleInfo replies with the ping shorthand', async () => {
    const spy = spyClient(server.url, { handleInfo: (_m, state) => ({ type: 'reply', frames: 'ping', state }) });
    const actor = start(createMinchActor(spy.client, null));
    await spy.on('handleConnect');
    sendInfo(actor, 'go');
    await server.recorder.waitFor((e) => e.type === 'ping', { label: 'ping' });
  });

  it('M6 answers a server ping with the same payload, without calling handleFrame', async () => {
    const spy = spyClient(server.url);
    start(createMinchActor(spy.client, null));
    await spy.on('handleConnect');
    (await server.socket()).ping('123');
    const pong = await server.recorder.waitFor((e) => e.type === 'pong', { label: 'pong' });
    expect(pong).toMatchObject({ data: '123' });
    (await server.socket()).send('after');
    await spy.on('handleFrame');
    expect(spy.calls('handleFrame').map((e) => (e as { frame: { type: string } }).frame.type)).toEqual(['text']);
  });

  it('M7 passes text, an empty binary frame and a pong with payload to handleFrame', async () => {
    await server.close();
    server = await startSpyServer({ autoPong: false });
    const spy = spyClient(server.url);
    start(createMinchActor(spy.client, null, { heartbeat: false }));
    await spy.on('handleConnect');
    const ws = await server.socket();
    ws.send('hello');
    ws.send(new Uint8Array(0), { binary: true });
    ws.pong('123');
    await spy.on('handleFrame', { nth: 3 });
    const frames = spy.calls('handleFrame').map((e) => (e as { frame: unknown }).frame);
    expect(frames).toEqual([
      { type: 'text', data: 'hello' },
      { type: 'binary', data: new Uint8Array(0) },
      { type: 'pong', data: new TextEncoder().encode('123') },
    ]);
    expect(Object.getPrototypeOf((frames[1] as { data: Uint8Array }).data)).toBe(Uint8Array.prototype);
  });

  it('M8 delivers sendInfo to handleInfo, even while still connecting', async () => {
    await server.close();
    server = await startSpyServer({ silent: true });
    const spy = spyClient(server.url);
    const actor = start(createMinchActor(spy.client, 's0'));
    sendInfo(actor, 'hello');
    const info = await spy.on('handleInfo');
    expect(info).toEqual({ cb: 'handleInfo', message: 'hello', state: 's0' });
    expect(stateName(actor.getSnapshot())).toBe('connecting');
  });

  it('M9 calls handleDisconnect with the server close code and reason, not handleFrame', async () => {
    const spy = spyClient(server.url, {
      handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: 'done', state }),
    });
    start(createMinchActor(spy.client, null));
    await spy.on('handleConnect');
    (await server.socket()).close(4001, 'go away');
    const d = await spy.on('handleDisconnect');
    expect(d.reason).toEqual({ type: 'closed', code: 4001, reason: 'go away' });
    expect(d.attempt).toBe(1);
    expect(spy.calls('handleFrame')).toHaveLength(0);
  });

  it('M10 close(actor) closes the connection from the client and runs terminate("normal", state)', async () => {
    const spy = spyClient(server.url);
    const actor = start(createMinchActor(spy.client, { k: 1 }));
    await spy.on('handleConnect');
    await close(actor);
    expect(spy.calls('terminate')).toEqual([{ cb: 'terminate', reason: 'normal', state: { k: 1 } }]);
    const closed = await server.recorder.waitFor((e) => e.type === 'close');
    expect(closed).toMatchObject({ code: 1000 });
    expect(actor.getSnapshot().status).toBe('done');
    expect(stateName(actor.getSnapshot())).toBe('stopped');
    expect(spy.calls('handleDisconnect')).toHaveLength(0);
  });

  it('M11 sendFrame right after start returns Left not_connected', () => {
    const spy = spyClient(server.url);
    const actor = start(createMinchActor(spy.client, null));
    expect(sendFrame(actor, { type: 'text', data: 'early' })).toEqual(E.left({ type: 'not_connected' }));
  });

  it('M12 a close result sends close 1000 "bye", then handleDisconnect follows', async () => {
    const spy = spyClient(server.url, {
      handleInfo: (_m, state) => ({ type: 'close', code: 1000, reason: 'bye', state }),
      handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: 'normal', state }),
    });
    const actor = start(createMinchActor(spy.client, null));
    await spy.on('handleConnect');
    sendInfo(actor, 'close please');
    const closed = await server.recorder.waitFor((e) => e.type === 'close');
    expect(closed).toMatchObject({ code: 1000, reason: 'bye' });
    const d = await spy.on('handleDisconnect');
    expect(d.reason).toEqual({ type: 'closed', code: 1000, reason: 'bye' });
    await spy.on('terminate');
  });

  it('M13 a stop result closes the connection, then runs terminate("normal", state)', async () => {
    const spy = spyClient<number>(server.url, {
      handleFrame: (_f, state) => ({ type: 'stop', reason: 'normal', state: state + 1 }),
    });
    const actor = start(createMinchActor(spy.client, 1));
    await spy.on('handleConnect');
    (await server.socket()).send('stop now');
    const t = await spy.on('terminate');
    expect(t).toEqual({ cb: 'terminate', reason: 'normal', state: 2 });
    await server.recorder.waitFor((e) => e.type === 'close');
    await until(actor, (s) => s.status === 'done');
    expect(spy.calls('handleDisconnect')).toHaveLength(0);
    expect(actor.getSnapshot().output).toEqual({ reason: 'normal' });
  });
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
