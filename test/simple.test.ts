/**
 * The simple client against a real `ws` server and against Python's
 * `websockets`: docs/behaviour.md §10 beyond S1–S8, which are in
 * test/behaviours.test.ts (a real server and minch/testing).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { either as E } from 'fp-ts';
import { close, connect, receiveFrame, sendFrame, type Connection } from '../src/index.js';
import { startSpyServer, type SpyServer } from './helpers/spyServer.js';
import { startRawServer } from './helpers/rawServer.js';
import { startPythonPeer, type PythonPeer } from './helpers/pythonPeer.js';

function right<T>(r: E.Either<unknown, T>): T {
  if (E.isLeft(r)) throw new Error(`expected Right, got Left ${JSON.stringify(r.left)}`);
  return r.right;
}

describe('simple client against ws', () => {
  let server: SpyServer;
  const conns: Connection[] = [];
  beforeEach(async () => {
    server = await startSpyServer();
  });
  afterEach(async () => {
    await Promise.all(conns.splice(0).map((c) => close(c)));
    await server.close();
  });
  const open = async (url = server.url, opts = {}) => {
    const conn = right(await connect(url, opts));
    conns.push(conn);
    return conn;
  };

  it('keeps frames that arrive while nobody waits, in order', async () => {
    const conn = await open();
    const ws = await server.socket();
    ws.send('a');
    ws.send(new Uint8Array([7]), { binary: true });
    ws.send('c');
    await server.recorder.waitFor((e) => e.type === 'connection');
    const frames = [await receiveFrame(conn), await receiveFrame(conn), await receiveFrame(conn)];
    expect(frames).toEqual([
      { type: 'text', data: 'a' },
      { type: 'binary', data: new Uint8Array([7]) },
      { type: 'text', data: 'c' },
    ]);
  });

  it('resolves receiveFrame with "timeout" when nothing arrives in time', async () => {
    const conn = await open();
    expect(await receiveFrame(conn, 20)).toBe('timeout');
  });

  it('resolves receiveFrame at once with a close frame once the connection ended', async () => {
    const conn = await open();
    (await server.socket()).close(4003, 'gone');
    await conn.closed;
    expect(await receiveFrame(conn, 60_000)).toEqual({ type: 'close', code: 4003, reason: 'gone' });
  });

  it('delivers buffered frames before reporting the close', async () => {
    const conn = await open();
    const ws = await server.socket();
    ws.send('last words');
    ws.close(1000, 'done');
    await conn.closed;
    expect(await receiveFrame(conn)).toEqual({ type: 'text', data: 'last words' });
    expect(await receiveFrame(conn)).toEqual({ type: 'close', code: 1000, reason: 'done' });
  });

  it('is an async iterable that yields frames in order and ends when the connection closes', async () => {
    const conn = await open();
    const ws = await server.socket();
    for (let i = 0; i < 5; i++) ws.send(`n${i}`);
    ws.close(1000);
    const seen: unknown[] = [];
    for await (const frame of conn) seen.push(frame);
    expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => ({ type: 'text', data: `n${i}` })));
  });

  it('stops reading past maxBufferedFrames and loses nothing', async () => {
    const conn = await open(server.url, { maxBufferedFrames: 4 });
    const ws = await server.socket();
    for (let i = 0; i < 200; i++) ws.send(`m${i}`);
    const seen: string[] = [];
    for (let i = 0; i < 200; i++) {
      const f = await receiveFrame(conn);
      seen.push(f !== 'timeout' && f.type === 'text' ? f.data : String(f));
    }
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
  });

  it('reports a 401 upgrade as Left upgrade_failed', async () => {
    await server.close();
    server = await startSpyServer({ rejectWith: () => 401 });
    expect(await connect(server.url)).toEqual(E.left(expect.objectContaining({ type: 'upgrade_failed', status: 401 })));
  });

  it('rejects an invalid URL at once', async () => {
    await expect(connect('http://127.0.0.1/')).rejects.toThrow(/ws:\/\/ or wss:\/\//);
  });

  it('an aborted signal cancels a pending connect with Left aborted', async () => {
    const raw = await startRawServer({ handshake: false });
    const controller = new AbortController();
    const pending = connect(raw.url, { signal: controller.signal });
    await raw.recorder.waitFor((e) => e.type === 'request');
    controller.abort();
    expect(await pending).toEqual(E.left(expect.objectContaining({ type: 'connect_error', reason: 'aborted' })));
    await raw.close();
  });
});

describe('simple client against python websockets', () => {
  let peer: PythonPeer;
  beforeAll(async () => {
    peer = await startPythonPeer();
  });
  afterAll(() => peer?.stop());

  it('S3 + S5: headers reach the server and receiveFrame gets its answer', async () => {
    const conn = right(await connect(`${peer.base}/headers`, { headers: { 'x-hello': 'world' } }));
    expect(await receiveFrame(conn)).toEqual({ type: 'text', data: 'world' });
    await close(conn);
  });

  it('echoes binary through sendFrame and receiveFrame', async () => {
    const conn = right(await connect(`${peer.base}/echo`));
    expect(sendFrame(conn, { type: 'binary', data: new Uint8Array([1, 2, 3]) })).toEqual(E.right(undefined));
    expect(await receiveFrame(conn)).toEqual({ type: 'binary', data: new Uint8Array([1, 2, 3]) });
    await close(conn);
    expect(await conn.closed).toEqual({ type: 'closed', code: 1000, reason: '' });
  });

  it('S8 conn.closed resolves with 4001 "go away"', async () => {
    const conn = right(await connect(`${peer.base}/close`));
    expect(await conn.closed).toEqual({ type: 'closed', code: 4001, reason: 'go away' });
  });

  it('Left upgrade_failed on a 401', async () => {
    expect(await connect(`${peer.base}/reject`)).toEqual(
      E.left(expect.objectContaining({ type: 'upgrade_failed', status: 401 })),
    );
  });
});
