/**
 * The diagnostics_channel messages (src/diagnostics.ts) against a real `ws`
 * server on loopback: their order through a whole life, their fields, the
 * heartbeat's, and that no secret of the connect target reaches any of them.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { close, createMinchActor, MINCH_CHANNELS, sendFrame } from '../src/index.js';
import { Recorder } from './helpers/recorder.js';
import { spyClient } from './helpers/spyClient.js';
import { startSpyServer, type SpyServer } from './helpers/spyServer.js';

type Published = { channel: string; message: Record<string, unknown> };

/** Subscribes to every Minch channel until `stop()`. */
function listen(): Recorder<Published> & { stop(): void } {
  const recorder = new Recorder<Published>();
  const handlers = Object.entries(MINCH_CHANNELS).map(([channel, name]) => {
    const handler = (message: unknown): void => recorder.push({ channel, message: message as Record<string, unknown> });
    subscribe(name, handler);
    return [name, handler] as const;
  });
  return Object.assign(recorder, { stop: () => handlers.forEach(([name, h]) => unsubscribe(name, h)) });
}

let server: SpyServer;
let published: ReturnType<typeof listen>;
beforeEach(async () => {
  server = await startSpyServer();
  published = listen();
});
afterEach(async () => {
  published.stop();
  await server.close();
});

describe('diagnostics_channel', () => {
  it('publishes a life in order: attempt, open, frames, drop, reconnect, attempt, open, close frame, stop', async () => {
    const spy = spyClient(server.url, {
      connect: () => ({ url: `${server.url}?token=canarytoken`, headers: { authorization: 'Bearer canaryheader' } }),
      handleDisconnect: (_r, _a, state) => ({ type: 'reconnect', backoff: 0, state }),
    });
    const actor = createMinchActor(spy.client, null, { heartbeat: false, systemId: 'feed' });
    actor.start();
    await spy.on('handleConnect');
    sendFrame(actor, { type: 'text', data: 'héllo' });
    await spy.on('handleFrame');
    (await server.socket(1)).terminate();
    await spy.on('handleConnect', { nth: 2 });
    await close(actor);

    const url = `ws://127.0.0.1:${server.port}/?<redacted>`;
    expect(published.events.map((e) => e.channel)).toEqual([
      'attempt',
      'open',
      'frameSent',
      'frameReceived',
      'disconnect',
      'reconnect',
      'attempt',
      'open',
      'frameSent',
      'stop',
    ]);
    const [a1, o1, sent, received, dropped, reconnect, a2, o2, closing, stop] = published.events.map((e) => e.message);
    expect(a1).toEqual({ client: 'feed', url, generation: 1 });
    expect(o1).toMatchObject({ client: 'feed', url, protocol: '', handshakeMs: expect.any(Number) });
    expect(sent).toEqual({ client: 'feed', url, type: 'text', bytes: 6 });
    expect(received).toEqual({ client: 'feed', url, type: 'text', bytes: 6 });
    expect(dropped).toMatchObject({ client: 'feed', url, reason: 'closed', code: 1006, attempt: 1, opened: true });
    expect(reconnect).toEqual({ client: 'feed', url, delayMs: 0, attempt: 1 });
    expect(a2).toEqual({ client: 'feed', url, generation: 2 });
    expect(o2).toMatchObject({ client: 'feed', url });
    expect(closing).toEqual({ client: 'feed', url, type: 'close', bytes: 2 });
    expect(stop).toEqual({ client: 'feed', url, reason: 'normal', wasOpen: true });
    expect(JSON.stringify(published.events)).not.toMatch(/canary/);
  });

  it('reports a refused upgrade with its status, and a failed attempt with how long it took', async () => {
    const refusing = await startSpyServer({ rejectWith: () => 401 });
    try {
      const spy = spyClient(refusing.url, {
        handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: { type: 'aborted' }, state }),
      });
      createMinchActor(spy.client, null, { heartbeat: false }).start();
      await spy.on('terminate');
      const dropped = await published.waitFor((e) => e.channel === 'disconnect');
      expect(dropped.message).toMatchObject({ reason: 'upgrade_failed', code: 401, attempt: 1, opened: false });
      expect(dropped.message.durationMs).toBeGreaterThan(0);
      expect(dropped.message.durationMs).toBeLessThan(5000);
      const stop = await published.waitFor((e) => e.channel === 'stop');
      expect(stop.message).toMatchObject({ reason: 'aborted', wasOpen: false });
    } finally {
      await refusing.close();
    }
  });

  it('publishes a heartbeat round trip, and a heartbeat timeout with its disconnect', async () => {
    const silent = await startSpyServer({ autoPong: false });
    try {
      const clock = new SimulatedClock();
      const heartbeat = { intervalMs: 1000, timeoutMs: 500 };
      const answered = spyClient(server.url);
      const a = createMinchActor(answered.client, null, { heartbeat, clock, systemId: 'answered' });
      a.start();
      await answered.on('handleConnect');
      clock.increment(1000);
      const rtt = await published.waitFor((e) => e.channel === 'heartbeat');
      expect(rtt.message).toMatchObject({ client: 'answered', outcome: 'answered' });
      expect(rtt.message.rttMs).toBeGreaterThan(0);
      expect(rtt.message.rttMs).toBeLessThan(5000);

      const unanswered = spyClient(silent.url, {
        handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: 'normal', state }),
      });
      const bClock = new SimulatedClock();
      createMinchActor(unanswered.client, null, { heartbeat, clock: bClock, systemId: 'b' }).start();
      await unanswered.on('handleConnect');
      bClock.increment(1000);
      await silent.recorder.waitFor((e) => e.type === 'ping');
      bClock.increment(500);
      const timeout = await published.waitFor((e) => e.channel === 'heartbeat' && e.message.client === 'b');
      expect(timeout.message).toEqual({ client: 'b', url: expect.any(String), outcome: 'timeout' });
      const dropped = await published.waitFor((e) => e.channel === 'disconnect' && e.message.client === 'b');
      expect(dropped.message).toMatchObject({ reason: 'heartbeat_timeout', opened: true });
      await close(a);
    } finally {
      await silent.close();
    }
  });

  it('publishes no reconnect once the client stopped, and names a stop by XState as stopped', async () => {
    let answer: (reconnect: { type: 'reconnect'; backoff: number; state: unknown }) => void = () => {};
    const spy = spyClient(server.url, {
      handleDisconnect: (_r, _a, state) =>
        new Promise((resolve) => (answer = () => resolve({ type: 'reconnect', backoff: 0, state }))),
    });
    const actor = createMinchActor(spy.client, null, { heartbeat: false, systemId: 'late' });
    actor.start();
    await spy.on('handleConnect');
    (await server.socket(1)).terminate();
    await spy.on('handleDisconnect');
    const closed = close(actor);
    answer({ type: 'reconnect', backoff: 0, state: null });
    await closed;
    const mine = published.events.filter((e) => e.message.client === 'late').map((e) => e.channel);
    expect(mine).toEqual(['attempt', 'open', 'disconnect', 'stop']);

    const other = spyClient(server.url);
    const stopped = createMinchActor(other.client, null, { heartbeat: false, systemId: 'xstate-stop' });
    stopped.start();
    await other.on('handleConnect');
    stopped.stop();
    const stop = await published.waitFor((e) => e.channel === 'stop' && e.message.client === 'xstate-stop');
    expect(stop.message).toMatchObject({ reason: 'stopped', wasOpen: true });
  });
});
