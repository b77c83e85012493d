/**
 * minch/testing's own tests, in Node: virtual time for every client timer,
 * the handshake controls, flush, and a long reconnect run that leaves
 * nothing behind. Global timers are faked and watched: a client on a
 * SimulatedClock must never start one. (test/behaviours.test.ts checks the
 * kit against a real ws server; test/browser/testing.test.ts runs it in Chromium.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { either as E } from 'fp-ts';
import {
  close,
  connect,
  createMinchActor,
  createSupervisor,
  receiveFrame,
  sendFrame,
  stateName,
  type MinchActor,
  type MinchClient,
} from '../src/index.js';
import { createTestServer, SimulatedClock } from '../src/testing.js';
import { reconnectCycles } from './helpers/reconnectCycles.js';
import { spyClient } from './helpers/spyClient.js';

const URL = 'ws://kit.test/feed';

/** One turn of the event loop, not on a timer (global timers are faked here). */
const macrotask = (): Promise<void> =>
  new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
const actors: MinchActor[] = [];
/** Stacks of global timers that the library (src/, machines/, XState) started; the test helpers' own do not count. */
let libraryTimers: string[] = [];

beforeEach(() => {
  vi.useFakeTimers();
  libraryTimers = [];
  for (const name of ['setTimeout', 'setInterval'] as const) {
    const faked = globalThis[name] as unknown as (...args: unknown[]) => unknown;
    vi.spyOn(globalThis, name).mockImplementation(((...args: unknown[]) => {
      const stack = new Error().stack ?? '';
      if (/\/(src|machines)\/|node_modules\/xstate/.test(stack)) libraryTimers.push(stack);
      return faked(...args);
    }) as never);
  }
});
afterEach(async () => {
  await Promise.all(actors.splice(0).map((a) => close(a)));
  expect(libraryTimers).toEqual([]);
  expect(vi.getTimerCount()).toBe(0);
  vi.restoreAllMocks();
  vi.useRealTimers();
});

function start<A extends MinchActor>(actor: A): A {
  actors.push(actor);
  return actor.start();
}

describe('a client on a SimulatedClock, against createTestServer', () => {
  it('runs 1,000 drop-and-reconnect cycles with 30 s backoffs, and leaves nothing running', async () => {
    const server = createTestServer();
    const clock = new SimulatedClock();
    let opens = 0;
    const client: MinchClient<number, number> = {
      connect: () => URL,
      handleConnect: (_r, n) => {
        opens++;
        return { type: 'ok', state: n };
      },
      handleFrame: (_f, n) => ({ type: 'ok', state: n }),
      handleDisconnect: (_r, _attempt, n) => ({ type: 'reconnect', backoff: 30_000, state: n + 1 }),
    };
    const actor = start(createMinchActor(client, 0, { WebSocket: server.WebSocket, clock }));
    await reconnectCycles(server, clock, () => stateName(actor.getSnapshot()), 1000, 30_000);
    await server.nextConnection();
    await server.flush();
    expect(opens).toBe(1001);
    expect(actor.getSnapshot().context.state).toBe(1000);
    expect(clock.now()).toBe(30_000_000);
    expect(vi.getTimerCount()).toBe(0);
    await close(actor);
    expect(actor.getSnapshot().status).toBe('done');
    expect(server.connections.every((c) => c.ended)).toBe(true);
  });

  it('times out a handshake the server never answers on the clock (connectTimeoutMs)', async () => {
    const server = createTestServer({ handshake: 'manual' });
    const clock = new SimulatedClock();
    const spy = spyClient(URL, { handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: 'normal', state }) });
    start(createMinchActor(spy.client, null, { WebSocket: server.WebSocket, clock, connectTimeoutMs: 10_000 }));
    const conn = await server.nextConnection();
    clock.increment(9_999);
    await server.flush();
    expect(spy.calls('handleDisconnect')).toHaveLength(0);
    clock.increment(1);
    const { reason } = await spy.on('handleDisconnect');
    expect(reason).toMatchObject({ type: 'connect_error', reason: 'timeout' });
    expect(await conn.closed).toEqual({ code: 1006, reason: '' });
    expect(() => conn.accept()).toThrow(/abandoned/);
  });

  it('finds a silent server with the heartbeat, on the clock', async () => {
    const server = createTestServer({ autoPong: false });
    const clock = new SimulatedClock();
    const spy = spyClient(URL, { handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: 'normal', state }) });
    const heartbeat = { intervalMs: 1_000, timeoutMs: 500 };
    start(createMinchActor(spy.client, null, { WebSocket: server.WebSocket, clock, heartbeat }));
    const conn = await server.nextConnection();
    await spy.on('handleConnect');
    clock.increment(1_000);
    const probe = await conn.nextFrame({ control: true });
    expect(probe.type).toBe('ping');
    clock.increment(499);
    await server.flush();
    expect(spy.calls('handleDisconnect')).toHaveLength(0);
    clock.increment(1);
    expect((await spy.on('handleDisconnect')).reason).toEqual({ type: 'heartbeat_timeout' });
  });

  it('keeps a connection whose server answers the heartbeat', async () => {
    const server = createTestServer();
    const clock = new SimulatedClock();
    const spy = spyClient(URL);
    const heartbeat = { intervalMs: 1_000, timeoutMs: 500 };
    const actor = start(createMinchActor(spy.client, null, { WebSocket: server.WebSocket, clock, heartbeat }));
    const conn = await server.nextConnection();
    await spy.on('handleConnect');
    // SimulatedClock moves `now` before it fires timers: step no further than the shortest timer (500 ms).
    for (let i = 0; i < 20; i++) {
      clock.increment(500);
      await server.flush();
    }
    expect(conn.received.filter((f) => f.type === 'ping')).toHaveLength(10);
    expect(stateName(actor.getSnapshot())).toBe('open');
  });

  it('ends a close the server never answers after closeTimeoutMs on the clock', async () => {
    const server = createTestServer({ answerClose: false });
    const clock = new SimulatedClock();
    const spy = spyClient(URL);
    const actor = start(
      createMinchActor(spy.client, null, { WebSocket: server.WebSocket, clock, closeTimeoutMs: 5_000 }),
    );
    const conn = await server.nextConnection();
    await spy.on('handleConnect');
    let closed = false;
    void close(actor).then(() => (closed = true));
    expect(await conn.nextFrame()).toEqual({ type: 'close', code: 1000, reason: '' });
    clock.increment(4_999);
    await server.flush();
    expect(closed).toBe(false);
    expect(stateName(actor.getSnapshot())).toBe('closing');
    clock.increment(1);
    await server.flush();
    expect(closed).toBe(true);
    expect(stateName(actor.getSnapshot())).toBe('stopped');
    // The server read the client's close frame, then the connection was cut.
    expect(await conn.closed).toEqual({ code: 1000, reason: '' });
    expect(spy.calls('terminate')).toEqual([{ cb: 'terminate', reason: 'normal', state: null }]);
  });

  it('delivers self.sendAfter on the clock', async () => {
    const server = createTestServer();
    const clock = new SimulatedClock();
    const spy = spyClient(URL, {
      handleConnect: (_r, state, self) => {
        self.sendAfter('tick', 5_000);
        return { type: 'ok', state };
      },
    });
    start(createMinchActor(spy.client, null, { WebSocket: server.WebSocket, clock }));
    await spy.on('handleConnect');
    clock.increment(4_999);
    await server.flush();
    expect(spy.calls('handleInfo')).toHaveLength(0);
    clock.increment(1);
    expect(await spy.on('handleInfo')).toMatchObject({ message: 'tick' });
  });

  it('backs off 200, 800 and 1800 ms of virtual time from refusals, then resubscribes', async () => {
    const server = createTestServer({
      handshake: (_request, index) => (index < 3 ? { type: 'refuse', status: 503 } : { type: 'accept' }),
    });
    const clock = new SimulatedClock();
    const attempts: { attempt: number; at: number }[] = [];
    const client: MinchClient<null, null> = {
      connect: () => URL,
      handleConnect: (_r, state) => ({ type: 'reply', frames: [{ type: 'text', data: 'subscribe' }], state }),
      handleFrame: (_f, state) => ({ type: 'ok', state }),
      handleDisconnect: (_reason, attempt, state) => {
        attempts.push({ attempt, at: clock.now() });
        return { type: 'reconnect', backoff: [200, 800, 1800][attempt - 1] ?? 0, state };
      },
    };
    const actor = start(createMinchActor(client, null, { WebSocket: server.WebSocket, clock }));
    for (const delay of [200, 800, 1_800]) {
      await server.nextConnection();
      await server.flush();
      expect(actor.getSnapshot().context.backoffMs).toBe(delay);
      clock.increment(delay);
    }
    const conn = await server.nextConnection();
    expect(await conn.nextFrame()).toEqual({ type: 'text', data: 'subscribe' });
    expect(attempts).toEqual([
      { attempt: 1, at: 0 },
      { attempt: 2, at: 200 },
      { attempt: 3, at: 1_000 },
    ]);
  });
});

describe('a supervisor on a SimulatedClock', () => {
  it("runs its children's timers and its restart window on the clock", async () => {
    const server = createTestServer();
    const clock = new SimulatedClock();
    // Each connection crashes the child: a stop with an abnormal reason.
    const crashing: MinchClient<null, null> = {
      connect: () => URL,
      handleFrame: (_f, state) => ({ type: 'stop', reason: 'crash', state }),
    };
    const spec = { id: 'feed', client: crashing, initArg: null, options: { WebSocket: server.WebSocket } } as const;
    const sup = createSupervisor([spec], { maxRestarts: 2, withinMs: 10_000, clock }).start();
    const crash = async (): Promise<void> => {
      const conn = await server.nextConnection();
      await server.flush();
      conn.send({ type: 'text', data: 'crash' });
      await conn.closed;
      await server.flush();
    };
    await crash();
    await crash();
    expect(sup.getSnapshot().context.restarts).toBe(2);
    // The window is on the clock: 10 s later the two restarts no longer count.
    clock.increment(10_001);
    await crash();
    expect(sup.getSnapshot().context.restarts).toBe(3);
    expect(sup.getSnapshot().status).toBe('active');
    await crash();
    expect(sup.getSnapshot().context.restarts).toBe(4);
    await crash();
    expect(sup.getSnapshot().status).toBe('done');
    expect(sup.getSnapshot().output).toMatchObject({ reason: { type: 'max_restarts', child: 'feed' } });
  });
});

describe('the test server', () => {
  it('flush waits for asynchronous callbacks and what they send', async () => {
    const server = createTestServer();
    const client: MinchClient<null, null> = {
      connect: () => URL,
      handleFrame: async (frame, state) => {
        for (let i = 0; i < 20; i++) await Promise.resolve();
        return { type: 'reply', frames: [frame], state };
      },
    };
    start(createMinchActor(client, null, { WebSocket: server.WebSocket, clock: new SimulatedClock() }));
    const conn = await server.nextConnection();
    await server.flush();
    for (const data of ['a', 'b', 'c']) conn.send({ type: 'text', data });
    await server.flush();
    expect(conn.received).toEqual([
      { type: 'text', data: 'a' },
      { type: 'text', data: 'b' },
      { type: 'text', data: 'c' },
    ]);
  });

  it('stops delivering to a paused client and loses nothing (the simple client past maxBufferedFrames)', async () => {
    const server = createTestServer();
    const clock = new SimulatedClock();
    const pending = connect(URL, { WebSocket: server.WebSocket, clock, maxBufferedFrames: 2 });
    const conn = await server.nextConnection();
    const result = await pending;
    if (E.isLeft(result)) throw new Error('connect failed');
    for (let i = 0; i < 6; i++) conn.send({ type: 'text', data: String(i) });
    await server.flush();
    const got: unknown[] = [];
    for (let i = 0; i < 6; i++) got.push(await receiveFrame(result.right));
    expect(got).toEqual([0, 1, 2, 3, 4, 5].map((i) => ({ type: 'text', data: String(i) })));
    await close(result.right);
  });

  it('flush waits for a callback that runs after its socket was released', async () => {
    const server = createTestServer();
    let disconnected = false;
    const client: MinchClient<null, null> = {
      connect: () => URL,
      handleFrame: (_f, state) => ({ type: 'ok', state }),
      handleDisconnect: async (_r, _a, state) => {
        for (let i = 0; i < 3; i++) await macrotask();
        disconnected = true;
        return { type: 'stop', reason: 'normal', state };
      },
    };
    start(createMinchActor(client, null, { WebSocket: server.WebSocket, clock: new SimulatedClock() }));
    const conn = await server.nextConnection();
    await server.flush();
    conn.drop();
    await server.flush();
    expect(disconnected).toBe(true);
  });

  it('a paused client sees a drop only when it reads again, after what was in flight', async () => {
    const server = createTestServer();
    const pending = connect(URL, { WebSocket: server.WebSocket, clock: new SimulatedClock(), maxBufferedFrames: 1 });
    const conn = await server.nextConnection();
    const result = await pending;
    if (E.isLeft(result)) throw new Error('connect failed');
    let ended = false;
    void result.right.closed.then(() => (ended = true));
    conn.send({ type: 'text', data: 'a' });
    await server.flush();
    conn.send({ type: 'text', data: 'b' });
    conn.drop();
    await server.flush();
    expect(ended).toBe(false);
    expect(await receiveFrame(result.right)).toEqual({ type: 'text', data: 'a' });
    expect(await receiveFrame(result.right)).toEqual({ type: 'text', data: 'b' });
    expect(await receiveFrame(result.right)).toEqual({ type: 'close', code: 1006, reason: '' });
    expect(await result.right.closed).toEqual({ type: 'closed', code: 1006, reason: '' });
  });

  it('refuses misuse: a second answer, a refusal with 101, sending or closing before the handshake', async () => {
    const server = createTestServer({ handshake: 'manual' });
    start(createMinchActor(spyClient(URL).client, null, { WebSocket: server.WebSocket, clock: new SimulatedClock() }));
    const conn = await server.nextConnection();
    expect(() => conn.send({ type: 'text', data: 'early' })).toThrow(/not been accepted/);
    expect(() => conn.close(1000)).toThrow(/not been accepted/);
    expect(() => conn.refuse(101)).toThrow(RangeError);
    conn.accept();
    expect(() => conn.accept()).toThrow(/already answered/);
  });

  it('fails new connections once closed, as a refused TCP connect', async () => {
    const server = createTestServer();
    server.close();
    const spy = spyClient(URL, { handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: 'normal', state }) });
    start(createMinchActor(spy.client, null, { WebSocket: server.WebSocket, clock: new SimulatedClock() }));
    expect((await spy.on('handleDisconnect')).reason).toMatchObject({
      type: 'connect_error',
      reason: 'econnrefused',
    });
    expect(server.connections).toHaveLength(0);
  });

  it('is a WHATWG socket too: addEventListener and the on* handlers get the same events', async () => {
    const server = createTestServer();
    const socket = new server.WebSocket(URL, ['v1']);
    socket.binaryType = 'arraybuffer';
    const events: { type: string; data?: unknown; code?: number; reason?: string }[] = [];
    const record = (event: never): void => void events.push(event);
    for (const type of ['open', 'message', 'close']) socket.addEventListener(type, record);
    let handled: unknown = null;
    socket.onmessage = (event) => (handled = event);
    const conn = await server.nextConnection();
    conn.send({ type: 'text', data: 'hi' });
    conn.send({ type: 'binary', data: new Uint8Array([1]) });
    await server.flush();
    socket.removeEventListener('message', record);
    conn.send({ type: 'text', data: 'unheard' });
    socket.close(1000, 'done');
    expect(await conn.closed).toEqual({ code: 1000, reason: 'done' });
    await server.flush();
    expect(socket.protocol).toBe('v1');
    expect(events.map((e) => e.type)).toEqual(['open', 'message', 'message', 'close']);
    expect(events[1]).toEqual({ type: 'message', data: 'hi' });
    expect(new Uint8Array(events[2]?.data as ArrayBuffer)).toEqual(new Uint8Array([1]));
    expect(events[3]).toEqual({ type: 'close', code: 1000, reason: 'done', wasClean: true });
    expect(handled).toEqual({ type: 'message', data: 'unheard' });
  });

  it('checks the URL and subprotocols as ws does', () => {
    const { WebSocket } = createTestServer();
    expect(() => new WebSocket('ftp://kit.test/')).toThrow(SyntaxError);
    expect(() => new WebSocket('ws://kit.test/#frag')).toThrow(/fragment/);
    expect(() => new WebSocket(URL, ['a', 'a'])).toThrow(/duplicated subprotocol/);
    expect(() => new WebSocket(URL, ['a b'])).toThrow(/invalid or duplicated/);
  });

  it('answers a ping with a pong of the same payload, and sends binary data as Uint8Array', async () => {
    const server = createTestServer();
    const clock = new SimulatedClock();
    const result = await connect(URL, { WebSocket: server.WebSocket, clock, heartbeat: false });
    if (E.isLeft(result)) throw new Error('connect failed');
    const conn = await server.nextConnection();
    expect(sendFrame(result.right, { type: 'ping', data: new Uint8Array([7]) })).toEqual(E.right(undefined));
    expect(await receiveFrame(result.right)).toEqual({ type: 'pong', data: new Uint8Array([7]) });
    conn.send({ type: 'binary', data: new Uint8Array([1, 2]) });
    const frame = await receiveFrame(result.right);
    expect(frame).toEqual({ type: 'binary', data: new Uint8Array([1, 2]) });
    await close(result.right);
  });
});
