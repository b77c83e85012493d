/**
 * The library in a real browser (headless Chromium through Vitest browser
 * mode): `isomorphic-ws` resolves to the native `WebSocket`, against the `ws`
 * server that test/browser/globalSetup.ts runs in Node on loopback.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { either as E } from 'fp-ts';
import {
  close,
  connect,
  createMinchActor,
  receiveFrame,
  sendFrame,
  sendInfo,
  stateName,
  type Frame,
  type MinchActor,
} from '../../src/index.js';
import { Recorder } from '../helpers/recorder.js';
import { spyClient } from '../helpers/spyClient.js';

const base = inject('wsBase');
const echoUrl = `${base}/echo`;
const dropUrl = `${base}/drop`;
const closeUrl = `${base}/close`;

type Snapshot = ReturnType<MinchActor['getSnapshot']>;
interface SnapshotEvent {
  value: string;
  status: Snapshot['status'];
  backoffMs: number | null;
  nextAttemptAt: number | null;
}

const actors: MinchActor[] = [];

/** Starts the actor and records every snapshot it emits, so tests wait on states without polling. */
function start(actor: MinchActor): { actor: MinchActor; states: Recorder<SnapshotEvent> } {
  const states = new Recorder<SnapshotEvent>();
  const record = (s: Snapshot): void =>
    states.push({
      value: stateName(s),
      status: s.status,
      backoffMs: s.context.backoffMs,
      nextAttemptAt: s.context.nextAttemptAt,
    });
  actor.subscribe({ next: record, complete: () => record(actor.getSnapshot()) });
  actors.push(actor);
  actor.start();
  record(actor.getSnapshot());
  return { actor, states };
}

const textOf = (frame: Frame): string | undefined => (frame.type === 'text' ? frame.data : undefined);

afterEach(async () => {
  await Promise.all(actors.splice(0).map((a) => close(a)));
});

describe('the client actor in Chromium', () => {
  it('connects and echoes a text and a binary frame (binary arrives as a Uint8Array)', async () => {
    const spy = spyClient(echoUrl);
    const { actor } = start(createMinchActor(spy.client, null));
    await spy.on('handleConnect');

    expect(E.isRight(sendFrame(actor, { type: 'text', data: 'hello from chromium' }))).toBe(true);
    const text = await spy.on('handleFrame', { where: (e) => e.frame.type === 'text' });
    expect(text.frame).toEqual({ type: 'text', data: 'hello from chromium' });

    const bytes = new Uint8Array([0, 1, 2, 127, 128, 255]);
    expect(E.isRight(sendFrame(actor, { type: 'binary', data: bytes }))).toBe(true);
    const binary = await spy.on('handleFrame', { where: (e) => e.frame.type === 'binary' });
    const data = (binary.frame as Extract<Frame, { type: 'binary' }>).data;
    expect(Object.getPrototypeOf(data) === Uint8Array.prototype).toBe(true);
    expect(Array.from(data)).toEqual([0, 1, 2, 127, 128, 255]);
    expect(spy.calls('handleDisconnect')).toHaveLength(0);
  });

  it('gives handleConnect status 101 and empty headers (browsers do not expose them)', async () => {
    const spy = spyClient(echoUrl);
    start(createMinchActor(spy.client, null));
    const { response } = await spy.on('handleConnect');
    expect(response.status).toBe(101);
    expect(response.headers).toEqual({});
    expect(response.protocol).toBe('');
  });

  it('reports a server drop as closed 1006, backs off, then reconnects', async () => {
    const spy = spyClient(dropUrl, {
      handleDisconnect: (_reason, _attempt, state) => ({ type: 'reconnect', backoff: 50, state }),
    });
    const { actor, states } = start(createMinchActor(spy.client, null));
    await spy.on('handleConnect');

    expect(E.isRight(sendFrame(actor, { type: 'text', data: 'drop' }))).toBe(true);
    const disconnect = await spy.on('handleDisconnect');
    expect(disconnect.reason).toMatchObject({ type: 'closed', code: 1006 });
    expect(disconnect.attempt).toBe(1);

    const backoff = await states.waitFor((s) => s.value === 'backoff' && s.backoffMs === 50, { label: 'backoff 50' });
    expect(typeof backoff.nextAttemptAt).toBe('number');

    await spy.on('handleConnect', { nth: 2 });
    expect(stateName(actor.getSnapshot())).toBe('open');
    const values = states.events.map((s) => s.value);
    const firstOpen = values.indexOf('open');
    const back = values.indexOf('backoff', firstOpen);
    expect(firstOpen).toBeGreaterThanOrEqual(0);
    expect(back).toBeGreaterThan(firstOpen);
    expect(values.indexOf('connecting', back)).toBeGreaterThan(back);
    expect(values.indexOf('open', back)).toBeGreaterThan(back);
    expect(spy.calls('connect')).toHaveLength(2);
  });

  it("reports the server's close code and reason: closed 4001 'go away'", async () => {
    const spy = spyClient(closeUrl, {
      handleDisconnect: (_reason, _attempt, state) => ({ type: 'stop', reason: 'normal', state }),
    });
    const { actor, states } = start(createMinchActor(spy.client, null));
    await spy.on('handleConnect');
    const disconnect = await spy.on('handleDisconnect');
    expect(disconnect.reason).toEqual({ type: 'closed', code: 4001, reason: 'go away' });
    await states.waitFor((s) => s.status === 'done', { label: 'done' });
    expect(actor.getSnapshot().status).toBe('done');
    expect(spy.calls('terminate')).toHaveLength(1);
  });

  it('validates close codes by the browser rule; a close result with 4000 reaches the server', async () => {
    const spy = spyClient(echoUrl, {
      handleInfo: (_message, state) => ({ type: 'close', code: 4000, reason: 'bye', state }),
      handleDisconnect: (_reason, _attempt, state) => ({ type: 'stop', reason: 'normal', state }),
    });
    const { actor } = start(createMinchActor(spy.client, null));
    await spy.on('handleConnect');

    const refused = sendFrame(actor, { type: 'close', code: 1001 });
    expect(E.isLeft(refused) && refused.left.type).toBe('invalid_frame');
    expect(stateName(actor.getSnapshot())).toBe('open');

    sendInfo(actor, 'close please');
    const disconnect = await spy.on('handleDisconnect');
    // ws echoes the client's close code and reason in its close frame.
    expect(disconnect.reason).toEqual({ type: 'closed', code: 4000, reason: 'bye' });
  });

  it('refuses protocol ping and pong frames with Left unsupported, and the connection stays usable', async () => {
    const spy = spyClient(echoUrl);
    const { actor } = start(createMinchActor(spy.client, null));
    await spy.on('handleConnect');

    const ping = sendFrame(actor, 'ping');
    expect(E.isLeft(ping) && ping.left).toMatchObject({ type: 'unsupported' });
    const pong = sendFrame(actor, { type: 'pong', data: new Uint8Array([1]) });
    expect(E.isLeft(pong) && pong.left).toMatchObject({ type: 'unsupported' });

    expect(E.isRight(sendFrame(actor, { type: 'text', data: 'still here' }))).toBe(true);
    const echoed = await spy.on('handleFrame');
    expect(echoed.frame).toEqual({ type: 'text', data: 'still here' });
    expect(spy.calls('handleDisconnect')).toHaveLength(0);
  });

  it("reports custom headers from connect(state) as connect_error 'unsupported'", async () => {
    const spy = spyClient(echoUrl, {
      connect: () => ({ url: echoUrl, headers: { authorization: 'Bearer secret-token' } }),
      handleDisconnect: (_reason, _attempt, state) => ({ type: 'stop', reason: 'normal', state }),
    });
    start(createMinchActor(spy.client, null));
    const disconnect = await spy.on('handleDisconnect');
    expect(disconnect.reason).toMatchObject({ type: 'connect_error', reason: 'unsupported' });
    expect(JSON.stringify(disconnect.reason)).not.toContain('secret-token');
    expect(spy.calls('handleConnect')).toHaveLength(0);
  });

  it('throws from createMinchActor when a heartbeat has no frame (browsers cannot ping)', () => {
    const spy = spyClient(echoUrl);
    expect(() => createMinchActor(spy.client, null, { heartbeat: { intervalMs: 50, timeoutMs: 1000 } })).toThrow(
      /frame/,
    );
  });

  it('runs an application-level heartbeat: the frame is sent, its echo counts as alive, no disconnect', async () => {
    const spy = spyClient(echoUrl);
    const { actor } = start(
      createMinchActor(spy.client, null, {
        heartbeat: { intervalMs: 50, timeoutMs: 1000, frame: { type: 'text', data: 'hb' } },
      }),
    );
    await spy.on('handleConnect');
    // The second probe is only sent once the first one's timeout window has passed without a disconnect.
    await spy.on('handleFrame', { nth: 2, where: (e) => textOf(e.frame) === 'hb' });
    expect(spy.calls('handleFrame').every((e) => e.cb === 'handleFrame' && textOf(e.frame) === 'hb')).toBe(true);
    expect(spy.calls('handleDisconnect')).toHaveLength(0);
    expect(stateName(actor.getSnapshot())).toBe('open');
  });

  it("goes offline on 'offline' (no retry, even with backoff 0) and reconnects at once on 'online'", async () => {
    const spy = spyClient(echoUrl); // handleDisconnect answers reconnect with backoff 0
    const { actor, states } = start(createMinchActor(spy.client, null));
    await spy.on('handleConnect');

    window.dispatchEvent(new Event('offline'));
    const disconnect = await spy.on('handleDisconnect');
    expect(disconnect.reason).toEqual({ type: 'closed', code: 1006, reason: 'the browser went offline' });
    expect(disconnect.attempt).toBe(1);

    // handleDisconnect's decision (backoff 0) is in the snapshot...
    await states.waitFor((s) => s.value === 'backoff' && s.backoffMs === 0, { label: 'backoff with decision 0' });
    // ...yet one macrotask later (the 0 ms reconnect timer has fired) the client still waits for 'online'.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(stateName(actor.getSnapshot())).toBe('backoff');
    expect(spy.calls('connect')).toHaveLength(1);

    const before = states.events.length;
    window.dispatchEvent(new Event('online'));
    await spy.on('handleConnect', { nth: 2 });
    const after = states.events.slice(before).map((s) => s.value);
    expect(after[0]).toBe('connecting');
    expect(after).toContain('open');
    expect(stateName(actor.getSnapshot())).toBe('open');

    await close(actor);
    expect(actor.getSnapshot().status).toBe('done');
    expect(spy.calls('terminate')).toHaveLength(1);
    const connects = spy.calls('connect').length;
    window.dispatchEvent(new Event('online'));
    await Promise.resolve();
    expect(actor.getSnapshot().status).toBe('done');
    expect(spy.calls('connect')).toHaveLength(connects);
    expect(spy.calls('handleDisconnect')).toHaveLength(1);
  });
});

describe('the simple client in Chromium', () => {
  it('connects, sends a text frame, receives its echo and closes', async () => {
    const result = await connect(echoUrl, { timeoutMs: 5000 });
    expect(E.isRight(result)).toBe(true);
    if (E.isLeft(result)) return;
    const conn = result.right;
    expect(conn.response.status).toBe(101);

    expect(E.isRight(sendFrame(conn, { type: 'text', data: 'hi' }))).toBe(true);
    expect(await receiveFrame(conn)).toEqual({ type: 'text', data: 'hi' });

    expect(E.isRight(sendFrame(conn, { type: 'binary', data: new Uint8Array([9, 8, 7]) }))).toBe(true);
    const binary = await receiveFrame(conn);
    expect(binary).toMatchObject({ type: 'binary' });
    const data = (binary as Extract<Frame, { type: 'binary' }>).data;
    expect(Object.getPrototypeOf(data) === Uint8Array.prototype).toBe(true);
    expect(Array.from(data)).toEqual([9, 8, 7]);

    await close(conn);
    expect(await conn.closed).toEqual({ type: 'closed', code: 1000, reason: '' });
    expect(await receiveFrame(conn)).toEqual({ type: 'close', code: 1000, reason: '' });
    expect(sendFrame(conn, { type: 'text', data: 'late' })).toEqual(E.left({ type: 'not_connected' }));
  });

  it("resolves Left connect_error 'unsupported' for custom headers", async () => {
    const result = await connect(echoUrl, { headers: { 'x-hello': 'world' }, timeoutMs: 5000 });
    expect(E.isLeft(result) && result.left).toMatchObject({ type: 'connect_error', reason: 'unsupported' });
  });
});
