/**
 * Edges of the lifecycle found in review, each against a real `ws` server on
 * loopback: XState's own `stop()`, answers a callback may not give, a
 * `handleError` whose own reply fails, a close while reading is paused, the
 * last state of a stopped client, and a client or supervisor closed before it started.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { setReading } from '../src/client.js';
import { close, connect, createMinchActor, createSupervisor, sendFrame, sendInfo, stateName } from '../src/index.js';
import type { Connection, Logger, MinchError } from '../src/index.js';
import { refusedPort } from './helpers/refusedPort.js';
import { Recorder } from './helpers/recorder.js';
import { spyClient } from './helpers/spyClient.js';
import { startSpyServer, type SpyServer } from './helpers/spyServer.js';

let server: SpyServer;
beforeEach(async () => {
  server = await startSpyServer();
});
afterEach(async () => {
  await server.close();
});

/** One event-loop turn: what was queued by the last step has run. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('stopping through XState', () => {
  it('actor.stop() on an open client closes its socket: XState runs no exit action, the client must', async () => {
    const spy = spyClient(server.url);
    const actor = createMinchActor(spy.client, null, { heartbeat: false });
    actor.start();
    await spy.on('handleConnect');
    actor.stop();
    await server.recorder.waitFor((e) => e.type === 'close', { label: 'the server sees the socket end' });
    sendInfo(actor, 'after stop');
    await turn();
    expect(spy.calls('handleInfo')).toHaveLength(0);
  });

  it("supervisor.stop() closes its children's sockets", async () => {
    const spy = spyClient(server.url);
    const sup = createSupervisor([{ id: 'a', client: spy.client, initArg: null, options: { heartbeat: false } }]);
    sup.start();
    await spy.on('handleConnect');
    sup.stop();
    await server.recorder.waitFor((e) => e.type === 'close', { label: 'the server sees the socket end' });
  });
});

describe('answers a callback may not give', () => {
  it('handleDisconnect answering ok is an invalid_result, and the default reconnect applies', async () => {
    const spy = spyClient(server.url, { handleDisconnect: (_r, _a, state) => ({ type: 'ok', state }) as never });
    const actor = createMinchActor(spy.client, null, { heartbeat: false });
    actor.start();
    await spy.on('handleConnect');
    (await server.socket(1)).close(4000, 'bye');
    const { error } = await spy.on('handleError');
    expect(error).toMatchObject({ type: 'invalid_result', callback: 'handleDisconnect' });
    await spy.on('handleConnect', { nth: 2 });
    await close(actor);
  });

  it('a handleError whose own reply fails is not called again for it: the failure is logged', async () => {
    const warnings = new Recorder<string>();
    const logger: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(String(m)), error() {} };
    const port = await refusedPort();
    const errors: MinchError[] = [];
    const actor = createMinchActor<null, null, string>(
      {
        connect: () => `ws://127.0.0.1:${port}/`,
        handleFrame: (_f, state) => ({ type: 'ok', state }),
        handleInfo: (_m, state) => ({ type: 'reply', frames: { type: 'text', data: 'hi' }, state }),
        handleError: (error, state) => {
          errors.push(error);
          return { type: 'reply', frames: { type: 'text', data: `error: ${error.type}` }, state };
        },
        handleDisconnect: (_r, _a, state) => ({ type: 'reconnect', backoff: 60_000, state }),
      },
      null,
      { heartbeat: false, logger },
    );
    actor.start();
    sendInfo(actor, 'x');
    expect(await warnings.waitFor((w) => w.includes('frame was not sent'))).toMatch(/not connected/);
    expect(errors).toHaveLength(1);
    await close(actor);
  });
});

describe('closing', () => {
  it('a simple connection whose reading is paused still reads the close frame: closed 1000', async () => {
    const result = await connect(server.url, { heartbeat: false, closeTimeoutMs: 3000 });
    if (E.isLeft(result)) throw new Error(`connect failed: ${result.left.type}`);
    const conn: Connection = result.right;
    expect(setReading(conn, false)).toBe(true);
    const started = performance.now();
    await close(conn);
    expect(await conn.closed).toMatchObject({ type: 'closed', code: 1000 });
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('the last snapshot holds the state a stop result gave', async () => {
    const spy = spyClient<string>(server.url, {
      handleDisconnect: () => ({ type: 'stop', reason: 'normal', state: 'final' }),
    });
    const actor = createMinchActor(spy.client, 'initial', { heartbeat: false });
    const done = new Promise<void>((resolve) => actor.subscribe({ complete: resolve }));
    actor.start();
    await spy.on('handleConnect');
    (await server.socket(1)).close(4000, 'bye');
    await done;
    expect(actor.getSnapshot().context.state).toBe('final');
  });

  it('a client closed before it started neither queues a frame nor connects when started later', async () => {
    const spy = spyClient(server.url);
    const actor = createMinchActor(spy.client, null, { heartbeat: false, outbox: { max: 10 } });
    await close(actor);
    expect(sendFrame(actor, { type: 'text', data: 'after close' })).toEqual(E.left({ type: 'not_connected' }));
    actor.start();
    await turn();
    expect(spy.calls('connect')).toHaveLength(0);
    expect(stateName(actor.getSnapshot())).not.toBe('connecting');
    expect(server.connections()).toBe(0);
  });

  it('a supervisor closed before it started resolves, and stops at once without a connect when started', async () => {
    const spy = spyClient(server.url);
    const sup = createSupervisor([{ id: 'a', client: spy.client, initArg: null, options: { heartbeat: false } }]);
    await close(sup);
    const done = new Promise<void>((resolve) => sup.subscribe({ complete: resolve }));
    sup.start();
    await done;
    expect(sup.getSnapshot().status).toBe('done');
    expect(spy.calls('connect')).toHaveLength(0);
  });

  it('a supervisor whose signal aborted before it started stops at once without a connect when started', async () => {
    const spy = spyClient(server.url);
    const sup = createSupervisor([{ id: 'a', client: spy.client, initArg: null, options: { heartbeat: false } }], {
      signal: AbortSignal.abort(),
    });
    await turn();
    const done = new Promise<void>((resolve) => sup.subscribe({ complete: resolve }));
    sup.start();
    await done;
    expect(sup.getSnapshot().status).toBe('done');
    expect(spy.calls('connect')).toHaveLength(0);
  });
});
