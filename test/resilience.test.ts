/**
 * Bad days on loopback: a peer that stops answering (heartbeat), frames sent
 * while down (outbox), a flapping server (minimum uptime), cancellation and
 * logging.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { either as E } from 'fp-ts';
import { close, createMinchActor, sendFrame, type MinchActor, type MinchActorOptions } from '../src/index.js';
import { frame, startRawServer, type RawServer } from './helpers/rawServer.js';
import { startSpyServer, type SpyServer } from './helpers/spyServer.js';
import { spyClient } from './helpers/spyClient.js';

const actors: MinchActor[] = [];
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(actors.splice(0).map((a) => close(a)));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function start(
  client: Parameters<typeof createMinchActor>[0],
  options: MinchActorOptions = {},
  initArg: unknown = null,
): MinchActor {
  const actor = createMinchActor(client, initArg, options);
  actors.push(actor);
  actor.start();
  return actor;
}
async function raw(): Promise<RawServer> {
  const s = await startRawServer();
  servers.push(s);
  return s;
}
async function spy(opts = {}): Promise<SpyServer> {
  const s = await startSpyServer(opts);
  servers.push(s);
  return s;
}
const stopAfterFirst = {
  handleDisconnect: (_r: unknown, _a: number, state: unknown) => ({ type: 'stop' as const, reason: 'normal', state }),
};

describe('heartbeat', () => {
  it('ends a connection whose peer stops answering with heartbeat_timeout, and terminates the socket', async () => {
    const server = await raw();
    const s = spyClient(server.url, stopAfterFirst);
    start(s.client, { heartbeat: { intervalMs: 30, timeoutMs: 30 }, closeTimeoutMs: 60_000 });
    await s.on('handleConnect');
    await server.recorder.waitFor((e) => e.type === 'frame' && e.opcode === 9, { label: 'heartbeat ping' });
    expect((await s.on('handleDisconnect')).reason).toEqual({ type: 'heartbeat_timeout' });
    await server.recorder.waitFor((e) => e.type === 'end' && e.id === 1);
    expect(s.calls('handleDisconnect')).toHaveLength(1);
  });

  it('keeps a connection whose peer answers pings, and hides the heartbeat pongs from handleFrame', async () => {
    const server = await spy();
    const s = spyClient(server.url);
    start(s.client, { heartbeat: { intervalMs: 10, timeoutMs: 200 } });
    await s.on('handleConnect');
    const ws = await server.socket();
    let pings = 0;
    await new Promise<void>((resolve) => ws.on('ping', () => ++pings === 5 && resolve()));
    expect(s.calls('handleDisconnect')).toHaveLength(0);
    expect(s.calls('handleFrame')).toHaveLength(0);
  });

  it('counts any frame from the peer as alive, even if it never answers pings', async () => {
    const server = await raw();
    const s = spyClient(server.url, stopAfterFirst);
    start(s.client, { heartbeat: { intervalMs: 20, timeoutMs: 150 } });
    await s.on('handleConnect');
    const socket = await server.socket();
    let sent = 0;
    const chatter = setInterval(() => socket.write(frame(1, `tick ${sent++}`)), 5);
    try {
      await server.recorder.waitFor((e) => e.type === 'frame' && e.opcode === 9, {
        nth: 4,
        label: 'fourth heartbeat ping',
      });
      expect(s.calls('handleDisconnect')).toHaveLength(0);
    } finally {
      clearInterval(chatter);
    }
    expect((await s.on('handleDisconnect')).reason).toEqual({ type: 'heartbeat_timeout' });
  });
});

describe('outbox (opt-in)', () => {
  it('queues frames sent while not open and writes them in order right after open, before handleConnect', async () => {
    const server = await spy();
    const s = spyClient(server.url, {
      handleConnect: (_r, state) => ({ type: 'reply', frames: { type: 'text', data: 'from handleConnect' }, state }),
    });
    const actor = start(s.client, { outbox: { max: 10 } });
    expect(sendFrame(actor, { type: 'text', data: 'q1' })).toEqual(E.right(undefined));
    expect(sendFrame(actor, { type: 'binary', data: new Uint8Array([2]) })).toEqual(E.right(undefined));
    await server.recorder.waitFor((e) => e.type === 'message', { nth: 3 });
    const msgs = server.recorder.events.filter((e) => e.type === 'message').map((e) => (e as { data: unknown }).data);
    expect(msgs).toEqual(['q1', new Uint8Array([2]), 'from handleConnect']);
  });

  it("refuses a frame when full with 'reject'", () => {
    const s = spyClient('ws://127.0.0.1:9/');
    const actor = start(s.client, { outbox: { max: 2, overflow: 'reject' } });
    expect(sendFrame(actor, { type: 'text', data: '1' })).toEqual(E.right(undefined));
    expect(sendFrame(actor, { type: 'text', data: '2' })).toEqual(E.right(undefined));
    expect(sendFrame(actor, { type: 'text', data: '3' })).toEqual(
      E.left({ type: 'outbox_full', message: 'the outbox holds 2 frames already' }),
    );
  });

  it("drops the oldest with 'drop-oldest' and reports it to handleError", async () => {
    const server = await spy({ silent: true });
    const s = spyClient(server.url);
    const actor = start(s.client, { outbox: { max: 1, overflow: 'drop-oldest' } });
    sendFrame(actor, { type: 'text', data: 'old' });
    expect(sendFrame(actor, { type: 'text', data: 'new' })).toEqual(E.right(undefined));
    const err = await s.on('handleError');
    expect(err.error).toMatchObject({
      type: 'send_error',
      message: 'a queued text frame was dropped: the outbox was full',
    });
  });

  it('reports every frame still queued when the client stops, then terminates', async () => {
    const server = await spy({ silent: true });
    const s = spyClient(server.url);
    const actor = start(s.client, { outbox: { max: 5 } });
    sendFrame(actor, { type: 'text', data: 'a' });
    sendFrame(actor, 'ping');
    await close(actor);
    const errors = s.calls('handleError').map((e) => (e as { error: { message: string } }).error.message);
    expect(errors).toEqual([
      'a queued text frame was dropped: the client stopped before it could be sent',
      'a queued ping frame was dropped: the client stopped before it could be sent',
    ]);
    expect(s.recorder.events.at(-1)?.cb).toBe('terminate');
    expect(sendFrame(actor, { type: 'text', data: 'late' })).toEqual(E.left({ type: 'not_connected' }));
  });

  it('keeps the default: without an outbox, sendFrame while not open is not_connected', () => {
    const s = spyClient('ws://127.0.0.1:9/');
    const actor = start(s.client);
    expect(sendFrame(actor, { type: 'text', data: 'x' })).toEqual(E.left({ type: 'not_connected' }));
  });
});

describe('a flapping server', () => {
  it('grows the attempt count when connections do not stay up for minUptimeMs', async () => {
    const server = await spy({ onConnection: (ws: { terminate(): void }) => ws.terminate() });
    const s = spyClient(server.url, {
      handleDisconnect: (_r, attempt, state) =>
        attempt >= 3 ? { type: 'stop', reason: 'normal', state } : { type: 'reconnect', backoff: 0, state },
    });
    start(s.client, { minUptimeMs: 60_000 });
    await s.on('terminate');
    expect(s.calls('handleDisconnect').map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2, 3]);
    expect(s.calls('handleConnect')).toHaveLength(3);
  });
});

describe('cancellation and logging', () => {
  it('closes the client when its AbortSignal aborts, with an aborted stop reason', async () => {
    const server = await spy();
    const s = spyClient(server.url);
    const controller = new AbortController();
    const actor = start(s.client, { signal: controller.signal });
    await s.on('handleConnect');
    controller.abort();
    const t = await s.on('terminate');
    expect(t.reason).toEqual({ type: 'aborted', reason: 'AbortError' });
    expect(await server.recorder.waitFor((e) => e.type === 'close')).toMatchObject({ code: 1000 });
    expect(actor.getSnapshot().output).toEqual({ reason: { type: 'aborted', reason: 'AbortError' } });
  });

  it('does not even start the connection with an already aborted signal', async () => {
    const s = spyClient('ws://127.0.0.1:9/');
    start(s.client, { signal: AbortSignal.abort() });
    await s.on('terminate');
    expect(s.calls('handleConnect')).toHaveLength(0);
  });

  it('logs lifecycle events through the logger at debug', async () => {
    const server = await spy();
    const lines: string[] = [];
    const logger = {
      debug: (...a: unknown[]) => lines.push(`debug ${JSON.stringify(a)}`),
      info: (...a: unknown[]) => lines.push(`info ${JSON.stringify(a)}`),
      warn: (...a: unknown[]) => lines.push(`warn ${JSON.stringify(a)}`),
      error: (...a: unknown[]) => lines.push(`error ${JSON.stringify(a)}`),
    };
    const s = spyClient(server.url);
    const actor = start(s.client, { logger });
    await s.on('handleConnect');
    await close(actor);
    const states = lines.filter((l) => l.startsWith('debug')).map((l) => /\[minch\] (\w+)/.exec(l)?.[1]);
    expect(states).toEqual(['idle', 'connecting', 'open', 'closing', 'stopped']);
  });
});
