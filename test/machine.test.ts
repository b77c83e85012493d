/**
 * The statechart (docs/behaviour.md §3–§5, §9). First the machine alone, its
 * named actions replaced by a log of what it asks the runtime for, on XState's
 * SimulatedClock; then live actors on the same clock against a real loopback
 * peer. The last test checks that together they take every transition.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { minchMachine } from '../machines/minchMachine.js';
import { close, createMinchActor, sendInfo, stateName, type MinchActor, type MinchClient } from '../src/index.js';
import { transitionsOf } from '../scripts/transitions.js';
import { ev, machineHarness, recordTransitions, STOPS, takenTransitions } from './helpers/machineHarness.js';
import { closePayload, frame, startRawServer, type RawServer } from './helpers/rawServer.js';
import { spyClient } from './helpers/spyClient.js';

const toOpen = [ev.initialised(), ev.target(1), ev.open(1)];
const toBackoff = [...toOpen, ev.closed(1)];

describe('lifecycle', () => {
  it('starts in idle and asks for init(initArg)', () => {
    const m = machineHarness();
    expect(m.snapshot().value).toBe('idle');
    expect(m.requests).toEqual(['init(s)']);
  });

  it.each<[string, Parameters<ReturnType<typeof machineHarness>['send']>, unknown, string[]]>([
    [
      'init done: connecting, asks connect(state) for attempt 1',
      [ev.initialised()],
      { connection: 'connecting' },
      ['connect(1)'],
    ],
    [
      'connect(state) answered: opens the socket',
      [ev.initialised(), ev.target(1)],
      { connection: 'connecting' },
      ['openSocket 1'],
    ],
    ['ignores the target of an older attempt', [ev.initialised(), ev.target(0)], { connection: 'connecting' }, []],
    [
      'connect(state) failed: the attempt ends',
      [ev.initialised(), ev.targetFailed(1)],
      { backoff: 'deciding' },
      ['releaseSocket', 'handleDisconnect(connect_error invalid_target, 1)'],
    ],
    [
      'the socket opened: open, handleConnect runs',
      toOpen,
      { connection: { open: 'unwatched' } },
      ['handleConnect(101)'],
    ],
    [
      'ignores socket.open of an older attempt',
      [ev.initialised(), ev.target(1), ev.open(0)],
      { connection: 'connecting' },
      [],
    ],
    [
      'a drop: the socket is released, handleDisconnect asked',
      toBackoff,
      { backoff: 'deciding' },
      ['releaseSocket', 'handleDisconnect(closed 1006, 1)'],
    ],
    ['ignores a close of an older socket', [...toOpen, ev.closed(0)], { connection: { open: 'unwatched' } }, []],
    [
      'a close result: the close frame, then closing',
      [...toOpen, ev.closeResult()],
      { connection: 'closing' },
      ['closeSocket 1000 bye'],
    ],
    [
      'a close frame from sendFrame: the same',
      [...toOpen, { type: 'user.close', code: 4000, reason: 'x' }],
      { connection: 'closing' },
      ['closeSocket 4000 x'],
    ],
    [
      'the server closed after a close result: backoff, handleDisconnect',
      [...toOpen, ev.closeResult(), ev.closed(1, 1000)],
      { backoff: 'deciding' },
      ['releaseSocket', 'handleDisconnect(closed 1000, 1)'],
    ],
    ['handleDisconnect chose a delay: waits', [...toBackoff, ev.reconnect(250)], { backoff: 'waiting' }, []],
    [
      'a zero delay after an open connection: connects at once',
      [...toBackoff, ev.reconnect(0)],
      { connection: 'connecting' },
      ['connect(2)'],
    ],
    [
      'a zero delay after a refused connect still waits for a timer turn',
      [ev.initialised(), ev.target(1), ev.refused(1), ev.reconnect(0)],
      { backoff: 'waiting' },
      [],
    ],
    [
      'ignores a decision that comes when none was asked',
      [...toOpen, ev.reconnect(0)],
      { connection: { open: 'unwatched' } },
      [],
    ],
  ])('%s', (_name, events, value, asked) => {
    const m = machineHarness();
    expect(m.send(...events)).toEqual(asked);
    expect(m.snapshot().value).toEqual(value);
  });

  it('shows the chosen backoff and when the next attempt is due, then connects after it', () => {
    const m = machineHarness();
    const before = Date.now();
    m.send(...toBackoff, ev.reconnect(250));
    expect(m.context().backoffMs).toBe(250);
    expect(m.context().nextAttemptAt).toBeGreaterThanOrEqual(before + 250);
    expect(m.advance(249)).toEqual([]);
    expect(m.advance(1)).toEqual(['connect(2)']);
    expect(m.context()).toMatchObject({ backoffMs: null, nextAttemptAt: null, generation: 2, url: null });
  });

  it('keeps the redacted URL of the attempt and the user state of the last batch', () => {
    const m = machineHarness();
    m.send(ev.initialised({ n: 1 }), ev.target(1), { type: 'callback.state', state: { n: 2 } });
    expect(m.context()).toMatchObject({ url: 'ws://h/', state: { n: 2 } });
  });

  it('counts attempts 1, 2 for refused connects and starts again at 1 after an open connection', () => {
    const m = machineHarness();
    m.send(ev.initialised(), ev.target(1), ev.refused(1));
    expect(m.context().attempt).toBe(1);
    m.send(ev.reconnect(10));
    m.advance(10);
    expect(m.send(ev.target(2), ev.refused(2))).toEqual([
      'releaseSocket',
      'handleDisconnect(connect_error econnrefused, 2)',
    ]);
    m.send(ev.reconnect(10));
    m.advance(10);
    m.send(ev.target(3), ev.open(3), ev.closed(3));
    expect(m.context()).toMatchObject({ attempt: 1, generation: 3 });
  });

  it('keeps counting when a connection closes before minUptimeMs', () => {
    const m = machineHarness({ minUptimeMs: 60_000 });
    m.send(...toBackoff, ev.reconnect(0), ev.target(2), ev.open(2));
    expect(m.send(ev.closed(2))).toEqual(['releaseSocket', 'handleDisconnect(closed 1006, 2)']);
  });

  it('keeps the snapshot JSON-serialisable', () => {
    const m = machineHarness();
    m.send(...toBackoff);
    const json = JSON.parse(JSON.stringify(m.snapshot()));
    expect(json.value).toEqual({ backoff: 'deciding' });
    expect(json.context).toMatchObject({ attempt: 1, lastDisconnect: { type: 'closed', code: 1006 } });
  });

  it('delivers info now, and sendAfter info on the clock unless cancelled', () => {
    const m = machineHarness();
    expect(m.send({ type: 'user.info', message: 'now' })).toEqual(['handleInfo(now)']);
    m.send({ type: 'user.sendAfter', id: 'a', message: 'later', delayMs: 100 });
    m.send({ type: 'user.sendAfter', id: 'b', message: 'never', delayMs: 100 });
    m.send({ type: 'user.cancelTimer', id: 'b' });
    expect(m.advance(100)).toEqual(['handleInfo(later)']);
  });
});

describe('stopping', () => {
  describe.each(STOPS)('told by %s', (_who, stop, reason) => {
    it('from connecting: the socket is released and terminate runs', () => {
      const m = machineHarness();
      m.send(ev.initialised(), ev.target(1));
      expect(m.send(stop)).toEqual([
        'releaseSocket',
        `terminate(${typeof reason === 'string' ? reason : 'aborted AbortError'})`,
      ]);
      expect(m.snapshot().value).toBe('stopping');
      expect(m.state()).toBe('closing');
      m.send(ev.terminated());
      expect(m.snapshot()).toMatchObject({ value: 'stopped', status: 'done', output: { reason } });
    });

    it('from backoff: terminate runs, no further attempt', () => {
      const m = machineHarness();
      m.send(...toBackoff);
      expect(m.send(stop).at(-1)).toMatch(/^terminate\(/);
      expect(m.advance(60_000)).toEqual([]);
    });

    it('from open: the close frame first, terminate once the socket closed', () => {
      const m = machineHarness();
      const code = 'code' in stop ? `${stop.code} ${stop.reason}` : '1000';
      expect(m.send(...toOpen, stop)).toEqual([`closeSocket ${code}`]);
      expect(m.snapshot().value).toEqual({ connection: 'closing' });
      expect(m.send(ev.closed(1, 1000)).at(-1)).toMatch(/^terminate\(/);
      expect(m.context().lastDisconnect).toMatchObject({ type: 'closed', code: 1000 });
    });

    it('while closing after a close result: no handleDisconnect, terminate instead', () => {
      const m = machineHarness();
      m.send(...toOpen, ev.closeResult());
      expect(m.send(stop)).toEqual([]);
      expect(m.send(ev.closed(1, 1000))).toEqual(['releaseSocket', expect.stringMatching(/^terminate\(/)]);
      expect(m.context().stopReason).toEqual(reason);
    });
  });

  // A stop result while idle can only come from init: see below.
  it.each(STOPS.slice(0, 3))(
    'told by %s while init runs: waits for it, then terminates without connecting',
    (_who, stop) => {
      const m = machineHarness();
      expect(m.send(stop)).toEqual([]);
      expect(m.snapshot().value).toBe('idle');
      expect(m.send(ev.initialised())).toEqual([expect.stringMatching(/^terminate\(/)]);
    },
  );

  it('keeps the first stop reason', () => {
    const m = machineHarness();
    m.send(...toOpen, ev.stop(), { type: 'callback.stop', reason: 'later' }, ev.closed(1, 1000), ev.terminated());
    expect(m.snapshot().output).toEqual({ reason: 'normal' });
  });

  it('stops without terminate when init itself stops', () => {
    const m = machineHarness();
    expect(m.send({ type: 'callback.stop', reason: 'no' })).toEqual([]);
    expect(m.snapshot()).toMatchObject({ value: 'stopped', status: 'done', output: { reason: 'no' } });
  });

  it('terminates a socket whose peer never answers the close frame after closeTimeoutMs, then stops', () => {
    const m = machineHarness();
    m.send(...toOpen, ev.stop());
    expect(m.advance(499)).toEqual([]);
    expect(m.advance(1)).toEqual(['releaseSocket', 'terminate(normal)']);
  });
});

describe('timers', () => {
  it('ends a handshake after connectTimeoutMs', () => {
    const m = machineHarness();
    m.send(ev.initialised(), ev.target(1));
    expect(m.advance(999)).toEqual([]);
    expect(m.advance(1)).toEqual(['releaseSocket', 'handleDisconnect(connect_error timeout, 1)']);
  });

  it('gives up on a close frame the server never answers after closeTimeoutMs', () => {
    const m = machineHarness();
    m.send(...toOpen, ev.closeResult());
    expect(m.advance(500)).toEqual(['releaseSocket', 'handleDisconnect(closed 1006, 1)']);
    expect(m.context().lastDisconnect).toMatchObject({ reason: 'the server did not answer the close frame in time' });
  });

  describe('heartbeat (intervalMs 1000, timeoutMs 400)', () => {
    const heartbeat = { intervalMs: 1000, timeoutMs: 400 };

    it('probes intervalMs after open, and again intervalMs after each answered probe was sent', () => {
      const m = machineHarness({ heartbeat });
      m.send(...toOpen);
      expect(m.snapshot().value).toEqual({ connection: { open: 'waiting' } });
      expect(m.advance(999)).toEqual([]);
      expect(m.advance(1)).toEqual(['probe']);
      m.send(ev.alive(1));
      expect(m.advance(400)).toEqual([]);
      expect(m.snapshot().value).toEqual({ connection: { open: 'resting' } });
      expect(m.advance(599)).toEqual([]);
      expect(m.advance(1)).toEqual(['probe']);
    });

    it('ends the connection with heartbeat_timeout when no frame answers within timeoutMs', () => {
      const m = machineHarness({ heartbeat });
      m.send(...toOpen);
      m.advance(1000);
      m.send(ev.alive(0));
      expect(m.advance(400)).toEqual(['releaseSocket', 'handleDisconnect(heartbeat_timeout, 1)']);
    });

    it('probes at once when the page becomes visible again, waiting or resting', () => {
      const m = machineHarness({ heartbeat });
      m.send(...toOpen);
      expect(m.send({ type: 'env.visible' })).toEqual(['probe']);
      m.send(ev.alive(1));
      m.advance(400);
      expect(m.send({ type: 'env.visible' })).toEqual(['probe']);
      expect(m.send({ type: 'env.visible' })).toEqual([]);
    });

    it('never probes with the heartbeat off', () => {
      const m = machineHarness();
      m.send(...toOpen);
      expect(m.advance(3_600_000)).toEqual([]);
      expect(m.send({ type: 'env.visible' })).toEqual([]);
    });
  });
});

describe('the browser environment', () => {
  it('watches it only when told to (browsers), with a child actor', () => {
    expect(Object.keys(machineHarness().snapshot().children)).toEqual([]);
    expect(Object.keys(machineHarness({ watchEnvironment: true }).snapshot().children)).toEqual(['environment']);
  });

  it('offline drops an open connection: closed 1006', () => {
    const m = machineHarness();
    expect(m.send(...toOpen, { type: 'env.offline' })).toEqual(['releaseSocket', 'handleDisconnect(closed 1006, 1)']);
    expect(m.context().offline).toBe(true);
  });

  it('offline abandons a connecting attempt: connect_error offline', () => {
    const m = machineHarness();
    expect(m.send(ev.initialised(), { type: 'env.offline' })).toEqual([
      'releaseSocket',
      'handleDisconnect(connect_error offline, 1)',
    ]);
  });

  it('waits while offline, and retries at once when online again', () => {
    const m = machineHarness();
    m.send(...toBackoff, { type: 'env.offline' }, ev.reconnect(100));
    expect(m.advance(100)).toEqual([]);
    expect(m.state()).toBe('backoff');
    expect(m.send({ type: 'env.online' })).toEqual(['connect(2)']);
    expect(m.context().offline).toBe(false);
  });

  it('a page visible again retries at once from backoff', () => {
    const m = machineHarness();
    expect(m.send(...toBackoff, ev.reconnect(60_000), { type: 'env.visible' })).toEqual(['connect(2)']);
  });

  it('goes on closing when offline while stopping, and never reconnects a stopped client', () => {
    const m = machineHarness();
    m.send(...toOpen, ev.stop(), { type: 'env.offline' });
    expect(m.snapshot().value).toEqual({ connection: 'closing' });
    m.send({ type: 'env.online' }, ev.closed(1, 1000), ev.terminated(), { type: 'env.visible' });
    expect(m.snapshot().status).toBe('done');
  });
});

describe('live, on a simulated clock', () => {
  let raw: RawServer;
  const actors: MinchActor[] = [];
  afterEach(async () => {
    await Promise.all(actors.splice(0).map((a) => close(a)));
    await raw?.close();
  });

  function startActor(client: MinchClient<unknown, unknown, unknown>, clock: SimulatedClock, opts = {}): MinchActor {
    const options = {
      heartbeat: false as const,
      connectTimeoutMs: 1000,
      closeTimeoutMs: 500,
      clock,
      inspect: recordTransitions,
    };
    const actor = createMinchActor(client, null, { ...options, ...opts });
    actors.push(actor);
    actor.start();
    return actor;
  }

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

  it('ends a handshake the server never answers after connectTimeoutMs, then retries', async () => {
    raw = await startRawServer({ handshake: false });
    const clock = new SimulatedClock();
    const spy = spyClient(raw.url);
    const actor = startActor(spy.client, clock);
    await spy.on('connect');
    await raw.recorder.waitFor((e) => e.type === 'request');
    clock.increment(999);
    expect(stateName(actor.getSnapshot())).toBe('connecting');
    clock.increment(1);
    const d = await spy.on('handleDisconnect');
    expect(d.reason).toEqual({ type: 'connect_error', reason: 'timeout', message: 'the opening handshake timed out' });
    expect(d.attempt).toBe(1);
    await decided(actor);
    clock.increment(200);
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
    expect(stateName(actor.getSnapshot())).toBe('closing');
    clock.increment(500);
    const d = await spy.on('handleDisconnect');
    expect(d.reason).toMatchObject({ type: 'closed', code: 1006 });
    await raw.recorder.waitFor((e) => e.type === 'end' && e.id === 1);
    expect(stateName(actor.getSnapshot())).toBe('backoff');
  });

  it('waits exactly the backoff handleDisconnect chose before the next attempt', async () => {
    raw = await startRawServer();
    const clock = new SimulatedClock();
    const spy = spyClient(raw.url, {
      handleDisconnect: (_r, _a, state) => ({ type: 'reconnect', backoff: 5000, state }),
    });
    const actor = startActor(spy.client, clock);
    await spy.on('handleConnect');
    (await raw.socket()).destroy();
    await spy.on('handleDisconnect');
    await decided(actor);
    clock.increment(4999);
    expect(stateName(actor.getSnapshot())).toBe('backoff');
    clock.increment(1);
    expect(stateName(actor.getSnapshot())).toBe('connecting');
    await spy.on('connect', { nth: 2 });
  });

  it('probes a silent peer with a ping and ends the connection after timeoutMs', async () => {
    raw = await startRawServer();
    const clock = new SimulatedClock();
    const spy = spyClient(raw.url, { handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: 'done', state }) });
    startActor(spy.client, clock, { heartbeat: { intervalMs: 1000, timeoutMs: 300 } });
    await spy.on('handleConnect');
    clock.increment(1000);
    const ping = await raw.recorder.waitFor((e) => e.type === 'frame' && e.opcode === 9);
    expect(String((ping as { payload: Buffer }).payload)).toMatch(/^minch:hb:/);
    clock.increment(300);
    expect((await spy.on('handleDisconnect')).reason).toEqual({ type: 'heartbeat_timeout' });
    await raw.recorder.waitFor((e) => e.type === 'end' && e.id === 1);
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

describe('transition coverage', () => {
  it('takes every transition of the machine (the tests above, in this file)', () => {
    const untaken = transitionsOf(minchMachine)
      .filter((t) => !takenTransitions.has(t.key))
      .map((t) => `${t.key}${t.guard ? ` [${t.guard}]` : ''} → ${t.targets.map((n) => n.id).join(', ') || '(none)'}`);
    expect(untaken).toEqual([]);
  });
});
