/**
 * The behaviour suite of the client (Minch's own M1–M13, the simple client's
 * S1–S8, and the protocol details where a fake could drift from `ws`,
 * docs/behaviour.md §13 and §14), run
 * twice with the same assertions: against a real `ws` server on loopback, and
 * against `minch/testing`'s `createTestServer`. A difference between the two
 * runs is a bug in the kit.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { toPromise } from 'xstate';
import { either as E } from 'fp-ts';
import {
  close,
  connect,
  createMinchActor,
  receiveFrame,
  sendFrame,
  sendInfo,
  stateName,
  type ConnectOptions,
  type MinchActor,
  type MinchActorOptions,
} from '../src/index.js';
import { createTestServer, type TestServerOptions } from '../src/testing.js';
import { spyClient } from './helpers/spyClient.js';
import { startWsTestServer, type PeerServer } from './helpers/wsTestServer.js';

interface Peer {
  server: PeerServer;
  url: string;
  /** What a client needs to reach this server: the kit's `WebSocket`, or nothing. */
  options: { WebSocket?: MinchActorOptions['WebSocket'] };
  /** A target whose host does not resolve, and the server that plays it. */
  unresolvable(): Promise<{ url: string; target: object; options: Peer['options'] }>;
}

const lookup = (_host: string, _opts: unknown, cb: (err: Error) => void) =>
  cb(Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' }));

const PEERS: { name: string; start(options?: TestServerOptions): Promise<Peer> }[] = [
  {
    name: 'a real ws server on loopback',
    async start(options) {
      const server = await startWsTestServer(options);
      cleanups.push(() => server.close());
      return {
        server,
        url: server.url,
        options: {},
        unresolvable: async () => {
          const url = 'ws://nowhere.invalid/';
          return { url, target: { url, options: { lookup } }, options: {} };
        },
      };
    },
  },
  {
    name: 'minch/testing',
    async start(options) {
      const server = createTestServer(options);
      cleanups.push(() => server.close());
      return {
        server,
        url: 'ws://kit.test/',
        options: { WebSocket: server.WebSocket },
        unresolvable: async () => {
          const failing = createTestServer({ handshake: () => ({ type: 'fail', code: 'ENOTFOUND' }) });
          const url = 'ws://nowhere.invalid/';
          return { url, target: { url }, options: { WebSocket: failing.WebSocket } };
        },
      };
    },
  },
];

const actors: MinchActor[] = [];
const cleanups: (() => unknown)[] = [];

function start(actor: MinchActor): MinchActor {
  actors.push(actor);
  return actor.start();
}

afterEach(async () => {
  await Promise.all(actors.splice(0).map((a) => close(a)));
  for (const clean of cleanups.splice(0)) await clean();
});

const bytes = (s: string) => new TextEncoder().encode(s);

describe.each(PEERS)('against $name', ({ start: startPeer }) => {
  describe('Minch behaviours M1–M13', () => {
    it('M1 runs init, then connect(state) before connecting', async () => {
      const peer = await startPeer();
      const spy = spyClient<{ n: number }>(peer.url);
      start(createMinchActor(spy.client, { n: 1 }, peer.options));
      await spy.on('handleConnect');
      expect(spy.recorder.events.slice(0, 3).map((e) => e.cb)).toEqual(['init', 'connect', 'handleConnect']);
      expect(spy.calls('connect')[0]).toEqual({ cb: 'connect', state: { n: 1 } });
    });

    it('M2 calls handleConnect with status 101 and the response headers, the accept key from the request key', async () => {
      const peer = await startPeer();
      const spy = spyClient(peer.url);
      start(createMinchActor(spy.client, null, peer.options));
      const conn = await peer.server.nextConnection();
      const { response } = await spy.on('handleConnect');
      expect(response.status).toBe(101);
      expect(response.headers['upgrade']).toMatch(/websocket/i);
      const key = conn.request.headers['sec-websocket-key'] as string;
      const expected = createHash('sha1')
        .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
        .digest('base64');
      expect(response.headers['sec-websocket-accept']).toBe(expected);
      expect(conn.request.headers['sec-websocket-version']).toBe('13');
    });

    it('M3 reports a 401 upgrade as upgrade_failed with its headers, attempt 1, then attempt 2', async () => {
      const peer = await startPeer({
        handshake: () => ({ type: 'refuse', status: 401, headers: { 'X-Reason': 'test' } }),
      });
      const spy = spyClient(peer.url);
      start(createMinchActor(spy.client, 'st', peer.options));
      const first = await spy.on('handleDisconnect');
      expect(first.reason).toMatchObject({ type: 'upgrade_failed', status: 401 });
      expect(first.attempt).toBe(1);
      expect((first.reason as { headers: Record<string, string> }).headers['x-reason']).toBe('test');
      const second = await spy.on('handleDisconnect', { nth: 2 });
      expect(second.attempt).toBe(2);
      expect(spy.calls('handleConnect')).toHaveLength(0);
    });

    it('M4 reports an unresolvable host as a connect error, attempt 1 then 2', async () => {
      const peer = await startPeer();
      const { url, target, options } = await peer.unresolvable();
      const spy = spyClient(url, { connect: () => target });
      start(createMinchActor(spy.client, null, options));
      const first = await spy.on('handleDisconnect');
      expect(first.reason).toEqual({
        type: 'connect_error',
        reason: 'enotfound',
        message: 'getaddrinfo ENOTFOUND nowhere.invalid',
      });
      expect(first.attempt).toBe(1);
      expect((await spy.on('handleDisconnect', { nth: 2 })).attempt).toBe(2);
    });

    it('M5 sends a ping when handleInfo replies with the ping shorthand', async () => {
      const peer = await startPeer();
      const spy = spyClient(peer.url, { handleInfo: (_m, state) => ({ type: 'reply', frames: 'ping', state }) });
      const actor = start(createMinchActor(spy.client, null, peer.options));
      const conn = await peer.server.nextConnection();
      await spy.on('handleConnect');
      sendInfo(actor, 'go');
      expect(await conn.nextFrame({ control: true })).toEqual({ type: 'ping', data: new Uint8Array(0) });
    });

    it('M6 answers a server ping with the same payload, without calling handleFrame', async () => {
      const peer = await startPeer();
      const spy = spyClient(peer.url);
      start(createMinchActor(spy.client, null, peer.options));
      const conn = await peer.server.nextConnection();
      await spy.on('handleConnect');
      expect(await conn.ping('123')).toEqual(bytes('123'));
      conn.send({ type: 'text', data: 'after' });
      await spy.on('handleFrame');
      expect(spy.calls('handleFrame').map((e) => (e as { frame: { type: string } }).frame.type)).toEqual(['text']);
    });

    it('M7 passes text, an empty binary frame and a pong with payload to handleFrame', async () => {
      const peer = await startPeer({ autoPong: false });
      const spy = spyClient(peer.url);
      start(createMinchActor(spy.client, null, { ...peer.options, heartbeat: false }));
      const conn = await peer.server.nextConnection();
      await spy.on('handleConnect');
      conn.send({ type: 'text', data: 'hello' });
      conn.send({ type: 'binary', data: new Uint8Array(0) });
      conn.send({ type: 'pong', data: bytes('123') });
      await spy.on('handleFrame', { nth: 3 });
      const frames = spy.calls('handleFrame').map((e) => (e as { frame: unknown }).frame);
      expect(frames).toEqual([
        { type: 'text', data: 'hello' },
        { type: 'binary', data: new Uint8Array(0) },
        { type: 'pong', data: bytes('123') },
      ]);
      expect(Object.getPrototypeOf((frames[1] as { data: Uint8Array }).data)).toBe(Uint8Array.prototype);
    });

    it('M8 delivers sendInfo to handleInfo, even while still connecting', async () => {
      const peer = await startPeer({ handshake: 'manual' });
      const spy = spyClient(peer.url);
      const actor = start(createMinchActor(spy.client, 's0', peer.options));
      await peer.server.nextConnection();
      sendInfo(actor, 'hello');
      const info = await spy.on('handleInfo');
      expect(info).toEqual({ cb: 'handleInfo', message: 'hello', state: 's0' });
      expect(stateName(actor.getSnapshot())).toBe('connecting');
    });

    it('M9 calls handleDisconnect with the server close code and reason, not handleFrame', async () => {
      const peer = await startPeer();
      const spy = spyClient(peer.url, {
        handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: 'done', state }),
      });
      start(createMinchActor(spy.client, null, peer.options));
      const conn = await peer.server.nextConnection();
      await spy.on('handleConnect');
      expect(await conn.close(4001, 'go away')).toEqual({ code: 4001, reason: 'go away' });
      const d = await spy.on('handleDisconnect');
      expect(d.reason).toEqual({ type: 'closed', code: 4001, reason: 'go away' });
      expect(d.attempt).toBe(1);
      expect(spy.calls('handleFrame')).toHaveLength(0);
    });

    it('M10 close(actor) closes the connection from the client and runs terminate("normal", state)', async () => {
      const peer = await startPeer();
      const spy = spyClient(peer.url);
      const actor = start(createMinchActor(spy.client, { k: 1 }, peer.options));
      const conn = await peer.server.nextConnection();
      await spy.on('handleConnect');
      await close(actor);
      expect(spy.calls('terminate')).toEqual([{ cb: 'terminate', reason: 'normal', state: { k: 1 } }]);
      expect(await conn.closed).toEqual({ code: 1000, reason: '' });
      expect(actor.getSnapshot().status).toBe('done');
      expect(stateName(actor.getSnapshot())).toBe('stopped');
      expect(spy.calls('handleDisconnect')).toHaveLength(0);
    });

    it('M11 sendFrame right after start returns Left not_connected', async () => {
      const peer = await startPeer();
      const spy = spyClient(peer.url);
      const actor = start(createMinchActor(spy.client, null, peer.options));
      expect(sendFrame(actor, { type: 'text', data: 'early' })).toEqual(E.left({ type: 'not_connected' }));
    });

    it('M12 a close result sends close 1000 "bye", then handleDisconnect follows', async () => {
      const peer = await startPeer();
      const spy = spyClient(peer.url, {
        handleInfo: (_m, state) => ({ type: 'close', code: 1000, reason: 'bye', state }),
        handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: 'normal', state }),
      });
      const actor = start(createMinchActor(spy.client, null, peer.options));
      const conn = await peer.server.nextConnection();
      await spy.on('handleConnect');
      sendInfo(actor, 'close please');
      expect(await conn.nextFrame()).toEqual({ type: 'close', code: 1000, reason: 'bye' });
      const d = await spy.on('handleDisconnect');
      expect(d.reason).toEqual({ type: 'closed', code: 1000, reason: 'bye' });
      await spy.on('terminate');
    });

    it('M13 a stop result closes the connection, then runs terminate("normal", state)', async () => {
      const peer = await startPeer();
      const spy = spyClient<number>(peer.url, {
        handleFrame: (_f, state) => ({ type: 'stop', reason: 'normal', state: state + 1 }),
      });
      const actor = start(createMinchActor(spy.client, 1, peer.options));
      const conn = await peer.server.nextConnection();
      await spy.on('handleConnect');
      conn.send({ type: 'text', data: 'stop now' });
      const t = await spy.on('terminate');
      expect(t).toEqual({ cb: 'terminate', reason: 'normal', state: 2 });
      expect(await conn.closed).toEqual({ code: 1000, reason: '' });
      expect(await toPromise(actor)).toEqual({ reason: 'normal' });
      expect(actor.getSnapshot().status).toBe('done');
      expect(spy.calls('handleDisconnect')).toHaveLength(0);
    });
  });

  describe('simple client S1–S8', () => {
    const connectTo = (peer: Peer, url: string, options: ConnectOptions = {}) =>
      connect(url, { heartbeat: false, ...peer.options, ...options });

    it('S1 resolves Left with the connection error for a host that does not resolve', async () => {
      const peer = await startPeer();
      const { url, target, options } = await peer.unresolvable();
      const result = await connect(url, { ...(target as { options?: object }).options, ...options });
      expect(E.isLeft(result) && result.left).toMatchObject({ type: 'connect_error', reason: 'enotfound' });
    });

    it('S2 resolves Left timeout for a server that never answers, and leaves nothing open', async () => {
      const peer = await startPeer({ handshake: 'manual' });
      const pending = connectTo(peer, peer.url, { timeoutMs: 100 });
      const conn = await peer.server.nextConnection();
      const result = await pending;
      expect(E.isLeft(result) && result.left).toMatchObject({ type: 'connect_error', reason: 'timeout' });
      expect(await conn.closed).toEqual({ code: 1006, reason: '' });
    });

    it('S3 sends the headers given to connect', async () => {
      const peer = await startPeer();
      const result = await connectTo(peer, peer.url, { headers: { 'X-Hello': 'world' } });
      const conn = await peer.server.nextConnection();
      expect(conn.request.headers['x-hello']).toBe('world');
      if (E.isRight(result)) await close(result.right);
    });

    it("S4 sendFrame(conn, 'ping') is Right and the server receives a ping", async () => {
      const peer = await startPeer();
      const result = await connectTo(peer, peer.url);
      if (E.isLeft(result)) throw new Error('connect failed');
      const conn = await peer.server.nextConnection();
      expect(sendFrame(result.right, 'ping')).toEqual(E.right(undefined));
      expect(await conn.nextFrame({ control: true })).toEqual({ type: 'ping', data: new Uint8Array(0) });
      await close(result.right);
    });

    it('S5 receiveFrame gives the text the server sent', async () => {
      const peer = await startPeer();
      const result = await connectTo(peer, peer.url);
      if (E.isLeft(result)) throw new Error('connect failed');
      (await peer.server.nextConnection()).send({ type: 'text', data: 'hello' });
      expect(await receiveFrame(result.right)).toEqual({ type: 'text', data: 'hello' });
      await close(result.right);
    });

    it('S6 close(conn) resolves, and the server sees the client close 1000', async () => {
      const peer = await startPeer();
      const result = await connectTo(peer, peer.url);
      if (E.isLeft(result)) throw new Error('connect failed');
      const conn = await peer.server.nextConnection();
      await close(result.right);
      expect(await conn.closed).toEqual({ code: 1000, reason: '' });
      expect(await result.right.closed).toEqual({ type: 'closed', code: 1000, reason: '' });
    });

    it('S7 disposing the connection closes it gracefully', async () => {
      const peer = await startPeer();
      const result = await connectTo(peer, peer.url);
      if (E.isLeft(result)) throw new Error('connect failed');
      const conn = await peer.server.nextConnection();
      {
        await using scoped = result.right;
        expect(sendFrame(scoped, { type: 'text', data: 'inside' })).toEqual(E.right(undefined));
      }
      expect(await conn.nextFrame()).toEqual({ type: 'text', data: 'inside' });
      expect(await conn.closed).toEqual({ code: 1000, reason: '' });
    });

    it('S8 conn.closed resolves with the server close frame', async () => {
      const peer = await startPeer();
      const result = await connectTo(peer, peer.url);
      if (E.isLeft(result)) throw new Error('connect failed');
      const conn = await peer.server.nextConnection();
      await conn.close(4002, 'later');
      expect(await result.right.closed).toEqual({ type: 'closed', code: 4002, reason: 'later' });
    });
  });

  describe('protocol details a fake could get wrong (docs/behaviour.md §14)', () => {
    const stopOnDisconnect = {
      handleDisconnect: (_r: unknown, _a: number, state: unknown) =>
        ({ type: 'stop', reason: 'normal', state }) as const,
    };

    it('T1 a server close frame with no code reaches handleDisconnect as 1005, and the client answers with none', async () => {
      const peer = await startPeer();
      const spy = spyClient(peer.url, stopOnDisconnect);
      start(createMinchActor(spy.client, null, peer.options));
      const conn = await peer.server.nextConnection();
      await spy.on('handleConnect');
      expect(await conn.close()).toEqual({ code: 1005, reason: '' });
      expect((await spy.on('handleDisconnect')).reason).toEqual({ type: 'closed', code: 1005, reason: '' });
    });

    it('T1 a dropped connection (no close frame) reaches handleDisconnect as 1006', async () => {
      const peer = await startPeer();
      const spy = spyClient(peer.url, stopOnDisconnect);
      start(createMinchActor(spy.client, null, peer.options));
      const conn = await peer.server.nextConnection();
      await spy.on('handleConnect');
      conn.drop();
      expect((await spy.on('handleDisconnect')).reason).toEqual({ type: 'closed', code: 1006, reason: '' });
      expect(await conn.closed).toEqual({ code: 1006, reason: '' });
    });

    it('T2 a client close code and a 123-byte reason reach the server as sent', async () => {
      const peer = await startPeer();
      const reason = 'é'.repeat(61) + 'x';
      const spy = spyClient(peer.url, {
        handleInfo: (_m, state) => ({ type: 'close', code: 4321, reason, state }),
        ...stopOnDisconnect,
      });
      const actor = start(createMinchActor(spy.client, null, peer.options));
      const conn = await peer.server.nextConnection();
      await spy.on('handleConnect');
      sendInfo(actor, 'close');
      expect(await conn.closed).toEqual({ code: 4321, reason });
      expect((await spy.on('handleDisconnect')).reason).toEqual({ type: 'closed', code: 4321, reason });
    });

    it('T2 the server cannot send a reserved close code or a reason over 123 bytes', async () => {
      const peer = await startPeer();
      const spy = spyClient(peer.url);
      start(createMinchActor(spy.client, null, peer.options));
      const conn = await peer.server.nextConnection();
      await spy.on('handleConnect');
      expect(() => void conn.close(1005)).toThrow(TypeError);
      expect(() => void conn.close(1000, 'x'.repeat(124))).toThrow(RangeError);
    });

    it('T4 a refusal carries its status and lower-case headers; the subprotocol is the one the server chose', async () => {
      const peer = await startPeer({
        handshake: (request, index) =>
          index === 0
            ? { type: 'refuse', status: 503, headers: { 'Retry-After': '5' }, body: 'busy' }
            : { type: 'accept', protocol: request.protocols[1] as string },
      });
      const spy = spyClient(peer.url, { connect: () => ({ url: peer.url, protocols: ['v1', 'v2'] }) });
      start(createMinchActor(spy.client, null, peer.options));
      const refused = await spy.on('handleDisconnect');
      expect(refused.reason).toMatchObject({ type: 'upgrade_failed', status: 503, headers: { 'retry-after': '5' } });
      const { response } = await spy.on('handleConnect');
      expect(response.protocol).toBe('v2');
      expect(response.headers['sec-websocket-protocol']).toBe('v2');
      const second = (await peer.server.nextConnection(), await peer.server.nextConnection());
      expect(second.request.protocols).toEqual(['v1', 'v2']);
    });

    it('T4 a connection reset before the upgrade is answered is a connect error', async () => {
      const peer = await startPeer({ handshake: 'manual' });
      const spy = spyClient(peer.url, stopOnDisconnect);
      start(createMinchActor(spy.client, null, peer.options));
      (await peer.server.nextConnection()).drop();
      expect((await spy.on('handleDisconnect')).reason).toEqual({
        type: 'connect_error',
        reason: 'econnreset',
        message: 'socket hang up',
      });
    });

    it('T4 a server offered no subprotocol sends none, whatever it would choose', async () => {
      const peer = await startPeer({ handshake: () => ({ type: 'accept', protocol: 'chat' }) });
      const spy = spyClient(peer.url);
      start(createMinchActor(spy.client, null, peer.options));
      const { response } = await spy.on('handleConnect');
      expect(response.protocol).toBe('');
      expect(response.headers['sec-websocket-protocol']).toBeUndefined();
    });

    it("T4 ws's origin option reaches the server as the Origin header", async () => {
      const peer = await startPeer();
      const result = await connect(peer.url, { heartbeat: false, origin: 'https://app.test', ...peer.options });
      if (E.isLeft(result)) throw new Error('connect failed');
      expect((await peer.server.nextConnection()).request.headers['origin']).toBe('https://app.test');
      await close(result.right);
    });

    it('T3 a client whose ws autoPong is off sends no pong; a ping over maxPayload is still answered', async () => {
      const peer = await startPeer();
      const silent = await connect(peer.url, { heartbeat: false, autoPong: false, ...peer.options });
      const small = await connect(peer.url, { heartbeat: false, maxPayload: 4, ...peer.options });
      if (E.isLeft(silent) || E.isLeft(small)) throw new Error('connect failed');
      const [quiet, limited] = [await peer.server.nextConnection(), await peer.server.nextConnection()];
      // No pong comes; the kit rejects the wait when the connection ends.
      quiet.ping('p').catch(() => undefined);
      quiet.send({ type: 'text', data: 'after the ping' });
      expect(await receiveFrame(silent.right)).toEqual({ type: 'text', data: 'after the ping' });
      sendFrame(silent.right, { type: 'text', data: 'ack' });
      expect(await quiet.nextFrame({ control: true })).toEqual({ type: 'text', data: 'ack' });
      expect(quiet.pongs).toEqual([]);
      expect(await limited.ping('hello!')).toEqual(bytes('hello!'));
      await Promise.all([close(silent.right), close(small.right)]);
    });

    it("T5 a message over the client's maxPayload ends the connection as ws ends it", async () => {
      const peer = await startPeer();
      const spy = spyClient(peer.url, {
        connect: () => ({ url: peer.url, options: { maxPayload: 8 } }),
        ...stopOnDisconnect,
      });
      start(createMinchActor(spy.client, null, peer.options));
      const conn = await peer.server.nextConnection();
      await spy.on('handleConnect');
      conn.send({ type: 'text', data: 'x'.repeat(8) });
      conn.send({ type: 'text', data: 'x'.repeat(9) });
      const { reason } = await spy.on('handleDisconnect');
      expect(reason).toEqual({ type: 'closed', code: 1006, reason: 'Max payload size exceeded' });
      expect(spy.calls('handleFrame')).toEqual([
        expect.objectContaining({ frame: { type: 'text', data: 'x'.repeat(8) } }),
      ]);
    });

    it('T5 a binary frame from the client arrives as the bytes sent', async () => {
      const peer = await startPeer();
      const result = await connect(peer.url, { heartbeat: false, ...peer.options });
      if (E.isLeft(result)) throw new Error('connect failed');
      const conn = await peer.server.nextConnection();
      sendFrame(result.right, { type: 'binary', data: new Uint8Array([0, 1, 255]) });
      sendFrame(result.right, { type: 'text', data: 'ünï' });
      expect(await conn.nextFrame()).toEqual({ type: 'binary', data: new Uint8Array([0, 1, 255]) });
      expect(await conn.nextFrame()).toEqual({ type: 'text', data: 'ünï' });
      await close(result.right);
    });
  });
});
