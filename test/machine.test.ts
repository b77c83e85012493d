/**
 * The statechart. Pure transitions (`initialTransition`/`transition`) for the
 * lifecycle rules, and live actors on XState's `SimulatedClock` for every
 * timer, against real loopback peers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { initialTransition, SimulatedClock, transition } from 'xstate';
import { minchMachine } from '../machines/minchMachine.js';
import { close, createMinchActor, sendInfo, type MinchActor } from '../src/index.js';
import { closePayload, frame, startRawServer, type RawServer } from './helpers/rawServer.js';
import { spyClient } from './helpers/spyClient.js';

const timings = { connectTimeoutMs: 1000, closeTimeoutMs: 500, heartbeat: false as const, minUptimeMs: 0 };
const response = { status: 101, headers: {}, protocol: '' };
type Snap = ReturnType<typeof initialTransition<typeof minchMachine>>[0];
type Ev = Parameters<typeof transition<typeof minchMachine>>[2];

function run(events: Ev[]): { snapshot: Snap; actions: string[] } {
  let [snapshot] = initialTransition(minchMachine, { initArg: 's', timings });
  let actions: string[] = [];
  for (const e of events) {
    const [next, acts] = transition(minchMachine, snapshot, e);
    snapshot = next;
    actions = acts.map((a) => a.type);
  }
  return { snapshot, actions };
}

const toConnecting: Ev[] = [{ type: 'init.done', state: 's1' }];
const toOpen: Ev[] = [...toConnecting, { type: 'connect.ready', generation: 1, url: 'ws://h/' }, { type: 'socket.open', generation: 1, response }];
const dropped = (generation: number): Ev => ({ type: 'socket.closed', generation, reason: { type: 'closed', code: 1006, reason: '' } });
const toBackoff: Ev[] = [...toOpen, dropped(1)];

describe('lifecycle transitions (pure)', () => {
  it.each<[string, Ev[], string, string[]]>([
    ['starts in idle and asks for init', [], 'idle', []],
    ['goes to connecting after init and asks for connect(state)', toConnecting, 'connecting', ['runConnect', 'xstate.raise']],
    ['spawns the socket when connect(state) answered', [...toConnecting, { type: 'connect.ready', generation: 1, url: 'ws://h/' }], 'connecting', ['xstate.spawnChild']],
    ['opens on socket.open, cancels the handshake timer and runs handleConnect', toOpen, 'open', ['xstate.cancel', 'runHandleConnect']],
    ['ignores socket.open from an older attempt', [...toConnecting, { type: 'socket.open', generation: 0, response }], 'connecting', []],
    ['drops to backoff on a close of the current socket and asks handleDisconnect', toBackoff, 'backoff', ['xstate.stopChild', 'runDisconnect', 'xstate.raise']],
    ['ignores a close of an older socket while open', [...toOpen, dropped(0)], 'open', []],
    ['closes the socket on a close result and waits in closing', [...toOpen, { type: 'result.close', code: 1000, reason: 'bye' }], 'closing', ['xstate.sendTo', 'xstate.raise']],
    ['reconnects from backoff only after handleDisconnect decided', [...toBackoff, { type: 'disconnect.reconnect', backoffMs: 250 }], 'backoff', ['xstate.cancel', 'xstate.raise']],
    ['stops from backoff through closing and runs terminate', [...toBackoff, { type: 'client.close', reason: 'normal' }], 'closing', ['xstate.cancel', 'xstate.stopChild', 'runTerminate', 'xstate.raise']],
    ['stops from connecting: the socket is dropped and terminate runs', [...toConnecting, { type: 'client.close', reason: 'normal' }], 'closing', ['xstate.cancel', 'xstate.stopChild', 'runTerminate', 'xstate.raise']],
    ['stops from open with a close frame first', [...toOpen, { type: 'client.close', reason: 'normal' }], 'closing', ['xstate.sendTo', 'xstate.raise']],
    ['runs terminate once the socket closed while stopping', [...toOpen, { type: 'client.close', reason: 'normal' }, { type: 'socket.closed', generation: 1, reason: { type: 'closed', code: 1000, reason: '' } }], 'closing', ['xstate.stopChild', 'runTerminate']],
    ['ends in stopped after terminate', [...toOpen, { type: 'client.close', reason: 'normal' }, dropped(1), { type: 'terminate.done' }], 'stopped', ['xstate.cancel']],
    ['waits for init when closed in idle', [{ type: 'client.close', reason: 'normal' }], 'idle', []],
    ['runs terminate, never connect, when init ends after a close in idle', [{ type: 'client.close', reason: 'normal' }, { type: 'init.done', state: 's1' }], 'closing', ['runTerminate', 'xstate.raise']],
    ['stops without terminate when init itself stops', [{ type: 'init.stop', reason: 'no' }], 'stopped', []],
    ['drops an open connection to backoff when the browser goes offline', [...toOpen, { type: 'env.offline' }], 'backoff', ['xstate.stopChild', 'runDisconnect', 'xstate.raise']],
    ['abandons a connecting attempt when the browser goes offline', [...toConnecting, { type: 'env.offline' }], 'backoff', ['xstate.cancel', 'xstate.stopChild', 'runDisconnect', 'xstate.raise']],
    ['retries at once when the browser is back online', [...toBackoff, { type: 'disconnect.reconnect', backoffMs: 60_000 }, { type: 'env.offline' }, { type: 'env.online' }], 'connecting', ['xstate.cancel', 'runConnect', 'xstate.raise']],
    ['retries at once when the page becomes visible again in backoff', [...toBackoff, { type: 'disconnect.reconnect', backoffMs: 60_000 }, { type: 'env.visible' }], 'connecting', ['xstate.cancel', 'runConnect', 'xstate.raise']],
    ['probes an open connection when the page becomes visible again', [...toOpen, { type: 'env.visible' }], 'open', ['xstate.sendTo']],
  ])('%s', (_name, events, state, actions) => {
    const result = run(events);
    expect(result.snapshot.value).toBe(state);
    if (events.length > 0) expect(result.actions).toEqual(actions);
  });

  it('never reconnects a closed client when the browser comes back online', () => {
    const { snapshot } = run([...toOpen, { type: 'client.close', reason: 'normal' }, dropped(1), { type: 'terminate.done' }, { type: 'env.online' }, { type: 'env.visible' }]);
    expect(snapshot.value).toBe('stopped');
    expect(snapshot.status).toBe('done');
  });

  it('waits while offline: the backoff timer does not start an attempt until the browser is online', () => {
    const elapsed = { type: 'xstate.after.reconnectDelay.minch.backoff' } as unknown as Ev;
    const { snapshot } = run([...toBackoff, { type: 'env.offline' }, { type: 'disconnect.reconnect', backoffMs: 0 }, elapsed]);
    expect(snapshot.value).toBe('backoff');
    expect(snapshot.context.offline).toBe(true);
    expect(transition(minchMachine, snapshot, { type: 'env.online' })[0].value).toBe('connecting');
  });

  it('watches the browser environment only when told to (browsers), with a child actor', () => {
    const [node, nodeActions] = initialTransition(minchMachine, { initArg: 's', timings });
    expect(nodeActions.map((a) => a.type)).toEqual(['runInit']);
    expect(Object.keys(node.children)).toEqual([]);
    const [browser, browserActions] = initialTransition(minchMachine, { initArg: 's', timings: { ...timings, watchEnvironment: true } });
    expect(browserActions.map((a) => a.type)).toEqual(['xstate.spawnChild', 'runInit']);
    expect(Object.keys(browser.children)).toEqual(['environment']);
  });

  it('counts attempts 1, 2 for refused connects and resets after an open connection', () => {
    const refused = (g: number): Ev => ({ type: 'socket.closed', generation: g, reason: { type: 'connect_error', reason: 'econnrefused', message: '' } });
    const again: Ev = { type: 'disconnect.reconnect', backoffMs: 0 };
    const elapsed = { type: 'xstate.after.reconnectDelay.minch.backoff' } as unknown as Ev;
    let s = run([...toConnecting, refused(1)]).snapshot;
    expect(s.context.attempt).toBe(1);
    for (const e of [again, elapsed, refused(2)]) s = transition(minchMachine, s, e)[0];
    expect(s.context.attempt).toBe(2);
    for (const e of [again, elapsed, { type: 'connect.ready', generation: 3, url: 'ws://h/' } as Ev, { type: 'socket.open', generation: 3, response } as Ev, dropped(3)]) {
      s = transition(minchMachine, s, e)[0];
    }
    expect(s.context.attempt).toBe(1);
    expect(s.context.generation).toBe(3);
  });

  it('keeps the snapshot JSON-serialisable', () => {
    const { snapshot } = run(toBackoff);
    const json = JSON.parse(JSON.stringify(snapshot));
    expect(json.value).toBe('backoff');
    expect(json.context).toMatchObject({ attempt: 1, lastDisconnect: { type: 'closed', code: 1006 } });
  });
});

/** Resolves once handleDisconnect's decision reached the machine. */
function decided(actor: MinchActor): Promise<void> {
  return new Promise<void>((resolve) => {
    if (actor.getSnapshot().context.backoffMs !== null) return resolve();
    const sub = actor.subscribe((s) => {
      if (s.context.backoffMs === null) return;
      sub.unsubscribe();
      resolve();
    });
  });
}

describe('timers on a simulated clock', () => {
  let raw: RawServer;
  const actors: MinchActor[] = [];
  afterEach(async () => {
    await Promise.all(actors.splice(0).map((a) => close(a)));
    await raw?.close();
  });

  function startActor(client: Parameters<typeof createMinchActor>[0], clock: SimulatedClock, opts = {}): MinchActor {
    const actor = createMinchActor(client, null, { heartbeat: false, connectTimeoutMs: 1000, closeTimeoutMs: 500, clock, ...opts });
    actors.push(actor);
    actor.start();
    return actor;
  }

  it('ends a handshake the server never answers after connectTimeoutMs, then retries', async () => {
    raw = await startRawServer({ handshake: false });
    const clock = new SimulatedClock();
    const spy = spyClient(raw.url);
    const actor = startActor(spy.client, clock);
    await spy.on('connect');
    await raw.recorder.waitFor((e) => e.type === 'request');
    clock.increment(999);
    expect(actor.getSnapshot().value).toBe('connecting');
    clock.increment(1);
    const d = await spy.on('handleDisconnect');
    expect(d.reason).toEqual({ type: 'connect_error', reason: 'timeout', message: 'the opening handshake timed out' });
    expect(d.attempt).toBe(1);
    await decided(actor);
    clock.increment(0);
    await spy.on('connect', { nth: 2 });
  });

  it('terminates a socket whose peer never answers the close frame after closeTimeoutMs', async () => {
    raw = await startRawServer();
    const clock = new SimulatedClock();
    const spy = spyClient(raw.url, {
      handleInfo: (_m, state) => ({ type: 'close', code: 4000, reason: 'bye', state }),
      handleDisconnect: (_r, _a, state) => ({ type: 'reconnect', backoff: 10_000, state }),
    });
    const actor = startActor(spy.client, clock);
    await spy.on('handleConnect');
    sendInfo(actor, 'close');
    const closeFrame = await raw.recorder.waitFor((e) => e.type === 'frame' && e.opcode === 8);
    expect((closeFrame as { payload: Buffer }).payload).toEqual(closePayload(4000, 'bye'));
    expect(actor.getSnapshot().value).toBe('closing');
    clock.increment(500);
    const d = await spy.on('handleDisconnect');
    expect(d.reason).toMatchObject({ type: 'closed', code: 1006 });
    await raw.recorder.waitFor((e) => e.type === 'end' && e.id === 1);
    expect(actor.getSnapshot().value).toBe('backoff');
  });

  it('waits exactly the backoff handleDisconnect chose before the next attempt', async () => {
    raw = await startRawServer();
    const clock = new SimulatedClock();
    const spy = spyClient(raw.url, { handleDisconnect: (_r, _a, state) => ({ type: 'reconnect', backoff: 5000, state }) });
    const actor = startActor(spy.client, clock);
    await spy.on('handleConnect');
    (await raw.socket()).destroy();
    await spy.on('handleDisconnect');
    await decided(actor);
    clock.increment(4999);
    expect(actor.getSnapshot().value).toBe('backoff');
    clock.increment(1);
    expect(actor.getSnapshot().value).toBe('connecting');
    await spy.on('connect', { nth: 2 });
  });

  it('stops a client closing to a silent peer after closeTimeoutMs, with terminate and nothing left', async () => {
    raw = await startRawServer();
    const clock = new SimulatedClock();
    const spy = spyClient(raw.url);
    const actor = startActor(spy.client, clock);
    await spy.on('handleConnect');
    const closed = close(actor);
    await raw.recorder.waitFor((e) => e.type === 'frame' && e.opcode === 8);
    clock.increment(500);
    await closed;
    expect(spy.calls('terminate')).toHaveLength(1);
    expect(actor.getSnapshot().status).toBe('done');
    await raw.recorder.waitFor((e) => e.type === 'end' && e.id === 1);
  });

  it('delivers sendAfter on the clock and never after the client stopped', async () => {
    raw = await startRawServer();
    const clock = new SimulatedClock();
    const spy = spyClient(raw.url, {
      handleConnect: (_r, state, self) => {
        self.sendAfter('soon', 100);
        self.sendAfter('late', 10_000);
        return { type: 'ok', state };
      },
    });
    const actor = startActor(spy.client, clock);
    await spy.on('handleConnect');
    clock.increment(100);
    expect((await spy.on('handleInfo')).message).toBe('soon');
    const closing = close(actor);
    (await raw.socket()).write(frame(8, closePayload(1000)));
    await closing;
    clock.increment(10_000);
    await Promise.resolve();
    expect(spy.calls('handleInfo')).toHaveLength(1);
  });
});
