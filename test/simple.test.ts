/**
 * The simple client (docs/behaviour.md §13, S1–S8) against a real `ws` server and
 * against Python's `websockets`, plus the rest of docs/behaviour.md §10.
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

  it('S1 resolves Left with the connection error for a host that does not resolve', async () => {
    const lookup = (_h: string, _o: unknown, cb: (e: Error) => void) =>
      cb(Object.assign(new Error('getaddrinfo ENOTFOUND x.invalid'), { code: 'ENOTFOUND' }));
    const result = await connect('ws://x.invalid/', { lookup });
    expect(result).toEqual(E.left(expect.objectContaining({ type: 'connect_error', reason: 'enotfound' })));
  });

  it('S2 resolves Left timeout when the server never answers the upgrade, leaving nothing behind', async () => {
    const raw = await startRawServer({ handshake: false });
    const result = await connect(raw.url, { timeoutMs: 100 });
    expect(result).toEqual(
      E.left({ type: 'connect_error', reason: 'timeout', message: 'the opening handshake timed out' }),
    );
    await raw.recorder.waitFor((e) => e.type === 'end' || e.type === 'request');
    await raw.close();
  });

  it('S3 sends the headers given to connect', async () => {
    await open(server.url, { headers: { 'x-hello': 'world' } });
    const up = await server.recorder.waitFor((e) => e.type === 'upgrade');
    expect((up as { headers: Record<string, string> }).headers['x-hello']).toBe('world');
  });

  it('S4 sendFrame(conn, "ping") is Right and the server receives a ping', async () => {
    const conn = await open();
    expect(sendFrame(conn, 'ping')).toEqual(E.right(undefined));
    await server.recorder.waitFor((e) => e.type === 'ping');
  });

  it('S5 receiveFrame resolves to the text the server sent', async () => {
    const conn = await open();
    (await server.socket()).send('hello');
    expect(await receiveFrame(conn)).toEqual({ type: 'text', data: 'hello' });
  });

  it('S6 close(conn) resolves and the server sees the client close', async () => {
    const conn = await open();
    await close(conn);
    expect(await server.recorder.waitFor((e) => e.type === 'close')).toMatchObject({ code: 1000 });
    expect(await conn.closed).toEqual({ type: 'closed', code: 1000, reason: '' });
    await close(conn);
  });

  it('S7 await using closes the connection gracefully when the scope ends', async () => {
    {
      await using conn = right(await connect(server.url));
      expect(sendFrame(conn, { type: 'text', data: 'inside' })).toEqual(E.right(undefined));
    }
    expect(await server.recorder.waitFor((e) => e.type === 'close')).toMatchObject({ code: 1000 });
  });

  it('S8 conn.closed resolves with the server close code and reason', async () => {
    const conn = await open();
    (await server.socket()).close(4002, 'bye now');
    expect(await conn.closed).toEqual({ type: 'closed', code: 4002, reason: 'bye now' });
  });

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
