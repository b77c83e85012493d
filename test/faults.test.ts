/**
 * A hostile server: the Autobahn client cases 2.x–7.x (framing, reserved bits
 * and opcodes, control frames, fragmentation, UTF-8, close handling, limits)
 * played byte by byte from the raw-frame server against a client actor.
 *
 * docs/behaviour.md §5.5: a protocol error by the server ends the connection at once — the
 * socket is terminated, not left waiting for the peer — and leads to exactly
 * one handleDisconnect({ type: 'closed', code: 1006, reason }) with no partial
 * frame delivered. Every actor is built with closeTimeoutMs 60 000, so a
 * connection that ends within the Recorder's bound was terminated by the
 * client, not by a close timer. The handleDisconnect policy reconnects once
 * (backoff 0) and stops afterwards, so each case also shows the reconnect.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { close, createMinchActor, type DisconnectResult, type Logger, type MinchActor } from '../src/index.js';
import { closePayload, frame, startRawServer, type RawServer } from './helpers/rawServer.js';
import { spyClient, type CallbackEvent } from './helpers/spyClient.js';

/** A valid text frame written before the hostile bytes: it must be delivered. */
const BEFORE = frame(1, 'before');
/** A valid text frame written after the hostile bytes: it must never be delivered. */
const AFTER = frame(1, 'after');
/** How long the raw server may wait to see the client end connection 1 (closeTimeoutMs is 60 000). */
const PROMPT_MS = 2000;

/** "κόσμε" followed by 0xed 0xa0 0x80, an encoded UTF-16 surrogate (Autobahn 6.x). */
const INVALID_UTF8 = Buffer.from([0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80]);

let raw: RawServer | undefined;
const actors: MinchActor[] = [];
const logs: { level: string; args: unknown[] }[] = [];
const logger: Logger = {
  debug: (...args) => logs.push({ level: 'debug', args }),
  info: (...args) => logs.push({ level: 'info', args }),
  warn: (...args) => logs.push({ level: 'warn', args }),
  error: (...args) => logs.push({ level: 'error', args }),
};

afterEach(async () => {
  // The raw server never answers a close frame by itself: drop its sockets
  // first, so that close(actor) never has to wait for the 60 s close timeout.
  await raw?.close();
  raw = undefined;
  await Promise.all(actors.splice(0).map((a) => close(a)));
  logs.length = 0;
});

/** Resolves once the actor has stopped. */
function stopped(actor: MinchActor): Promise<void> {
  return new Promise<void>((resolve) => {
    if (actor.getSnapshot().status === 'done') return resolve();
    const sub = actor.subscribe({
      complete: () => {
        sub.unsubscribe();
        resolve();
      },
    });
  });
}

/**
 * Starts a raw server and a client actor that reconnects (backoff 0) after
 * its first disconnect and stops after the second, and waits until the
 * client is open on connection 1.
 */
async function openClient(connectOptions?: Record<string, unknown>) {
  const server = await startRawServer();
  raw = server;
  let disconnects = 0;
  const spy = spyClient(server.url, {
    ...(connectOptions !== undefined && { connect: () => ({ url: server.url, options: connectOptions }) }),
    handleDisconnect: (_reason, _attempt, state): DisconnectResult<unknown> =>
      ++disconnects === 1 ? { type: 'reconnect', backoff: 0, state } : { type: 'stop', reason: 'normal', state },
  });
  const actor = createMinchActor(spy.client, null, { heartbeat: false, closeTimeoutMs: 60_000, logger });
  actors.push(actor);
  actor.start();
  await spy.on('handleConnect');
  const socket = await server.socket(1);
  return { server, spy, actor, socket };
}

/** The callbacks recorded for connection 1: after its handleConnect, before the second one. */
function firstConnection(events: CallbackEvent[]): CallbackEvent[] {
  const opens = events.flatMap((e, i) => (e.cb === 'handleConnect' ? [i] : []));
  return events.slice((opens[0] ?? 0) + 1, opens[1] ?? events.length);
}

/**
 * After connection 1 ended: the client reconnects by policy (connection 2
 * reaches the raw server), the server closes connection 2 normally, the
 * second handleDisconnect stops the client, and terminate runs once.
 */
async function reconnectsThenStops(ctx: Awaited<ReturnType<typeof openClient>>) {
  const { server, spy, actor } = ctx;
  const second = await server.socket(2);
  await spy.on('handleConnect', { nth: 2 });
  second.write(frame(8, closePayload(1000)));
  const d2 = await spy.on('handleDisconnect', { nth: 2 });
  expect(d2.reason).toEqual({ type: 'closed', code: 1000, reason: '' });
  await stopped(actor);
  expect(spy.calls('terminate')).toHaveLength(1);
  expect(spy.calls('handleDisconnect')).toHaveLength(2);
}

interface FaultCase {
  name: string;
  /** Writes the hostile bytes (or drops the connection) on connection 1, after BEFORE. */
  hostile: Buffer | ((socket: Socket) => void);
  /** `ws` client options returned by connect(state). */
  connectOptions?: Record<string, unknown>;
}

const badCloseCodes = [0, 999, 1005, 1006, 1015, 2999, 5000];

const cases: FaultCase[] = [
  // 6.x: UTF-8 handling
  { name: 'invalid UTF-8 in a text frame', hostile: frame(1, INVALID_UTF8) },
  {
    name: 'invalid UTF-8 split across a fragmented text message',
    hostile: Buffer.concat([
      frame(1, INVALID_UTF8.subarray(0, 11), { fin: false }),
      frame(0, INVALID_UTF8.subarray(11), { fin: true }),
    ]),
  },
  // 4.x: reserved opcodes
  ...[3, 7, 11, 15].map((op) => ({ name: `a frame with reserved opcode ${op}`, hostile: frame(op, 'reserved') })),
  // 3.x: reserved bits without a negotiated extension
  ...(
    [
      [4, 'RSV1'],
      [2, 'RSV2'],
      [1, 'RSV3'],
    ] as const
  ).map(([rsv, bit]) => ({
    name: `a text frame with ${bit} set and no extension negotiated`,
    hostile: frame(1, 'reserved bit', { rsv }),
  })),
  // 7.x: close handling
  ...badCloseCodes.map((code) => ({
    name: `a close frame with the invalid code ${code}`,
    hostile: frame(8, closePayload(code)),
  })),
  { name: 'a close frame with a 1-byte payload', hostile: frame(8, Buffer.from([0x03])) },
  // 2.x / 5.x: control frames
  { name: 'a ping with a 126-byte payload (oversize control frame)', hostile: frame(9, Buffer.alloc(126, 0x2a)) },
  { name: 'a fragmented ping (FIN clear on opcode 9)', hostile: frame(9, 'ping', { fin: false }) },
  // 5.x: fragmentation
  { name: 'a continuation frame with no message started', hostile: frame(0, 'orphan', { fin: true }) },
  {
    name: 'a new text frame while a fragmented message is in progress',
    hostile: Buffer.concat([frame(1, 'frag', { fin: false }), frame(1, 'ment', { fin: true })]),
  },
  // 1.x framing rules: a server must not mask
  { name: 'a masked frame from the server', hostile: frame(1, 'masked', { mask: true }) },
  // 9.x-style limit
  {
    name: 'a message larger than the configured maxPayload',
    hostile: frame(2, Buffer.alloc(2048, 7)),
    connectOptions: { maxPayload: 1024 },
  },
  // abrupt drops
  {
    name: 'a partial frame then a TCP reset',
    hostile: (socket) => {
      socket.write(frame(1, 'x'.repeat(100)).subarray(0, 5));
      socket.resetAndDestroy();
    },
  },
  { name: 'a TCP FIN without a close frame', hostile: (socket) => socket.end() },
];

describe('a hostile server (Autobahn client cases 2.x–7.x)', () => {
  it.each(cases.map((c) => [c.name, c] as const))(
    'ends the connection at once on %s: one closed 1006, no partial frame, then reconnects',
    async (_name, c) => {
      const ctx = await openClient(c.connectOptions);
      const { server, spy, socket } = ctx;

      if (typeof c.hostile === 'function') {
        socket.write(BEFORE);
        c.hostile(socket);
      } else {
        socket.write(Buffer.concat([BEFORE, c.hostile, AFTER]));
      }

      const d = await spy.on('handleDisconnect');
      expect(d.reason).toEqual({ type: 'closed', code: 1006, reason: expect.any(String) });
      expect(d.attempt).toBe(1);
      // The client ended the TCP connection itself, long before any close timeout.
      await server.recorder.waitFor((e) => e.type === 'end' && e.id === 1, {
        timeoutMs: PROMPT_MS,
        label: 'end of connection 1',
      });

      await reconnectsThenStops(ctx);

      const conn1 = firstConnection(spy.recorder.events);
      expect(conn1.filter((e) => e.cb === 'handleDisconnect')).toHaveLength(1);
      // The frame before the hostile bytes arrived, before the disconnect; nothing after it, nothing partial.
      expect(conn1.filter((e) => e.cb === 'handleFrame' || e.cb === 'handleDisconnect').map((e) => e.cb)).toEqual([
        'handleFrame',
        'handleDisconnect',
      ]);
      expect(spy.calls('handleFrame').map((e) => (e as { frame: unknown }).frame)).toEqual([
        { type: 'text', data: 'before' },
      ]);
    },
  );

  it('completes a close 4000 "bye": code and reason reach handleDisconnect, the close frame is echoed', async () => {
    const ctx = await openClient();
    const { server, spy, socket } = ctx;

    socket.write(Buffer.concat([BEFORE, frame(8, closePayload(4000, 'bye')), AFTER]));

    const d = await spy.on('handleDisconnect');
    expect(d.reason).toEqual({ type: 'closed', code: 4000, reason: 'bye' });
    expect(d.attempt).toBe(1);
    const echo = await server.recorder.waitFor((e) => e.type === 'frame' && e.id === 1 && e.opcode === 8, {
      label: 'close echo on connection 1',
    });
    expect(echo).toMatchObject({ type: 'frame', id: 1, opcode: 8, fin: true });
    await server.recorder.waitFor((e) => e.type === 'end' && e.id === 1, {
      timeoutMs: PROMPT_MS,
      label: 'end of connection 1',
    });

    await reconnectsThenStops(ctx);

    expect(firstConnection(spy.recorder.events).filter((e) => e.cb === 'handleDisconnect')).toHaveLength(1);
    expect(spy.calls('handleFrame').map((e) => (e as { frame: unknown }).frame)).toEqual([
      { type: 'text', data: 'before' },
    ]);
  });
});
