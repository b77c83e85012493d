/**
 * Supervision against a real loopback server: restarts up to the limit,
 * normal stops left alone, names that survive restarts, shutdown with 1001.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { either as E } from 'fp-ts';
import { close, createSupervisor, sendFrame, stateName, type MinchClient, type SupervisorActor } from '../src/index.js';
import { Recorder } from './helpers/recorder.js';
import { startSpyServer, type SpyServer } from './helpers/spyServer.js';

let server: SpyServer;
const sups: SupervisorActor[] = [];
beforeEach(async () => {
  server = await startSpyServer();
});
afterEach(async () => {
  await Promise.all(sups.splice(0).map((s) => close(s)));
  await server.close();
});

function done(sup: SupervisorActor): Promise<unknown> {
  return new Promise((resolve) => {
    if (sup.getSnapshot().status === 'done') return resolve(sup.getSnapshot().output);
    sup.subscribe({ complete: () => resolve(sup.getSnapshot().output) });
  });
}

type Ev = { cb: string; arg?: unknown };

function client(
  log: Recorder<Ev>,
  overrides: Partial<MinchClient<{ url: string }, { url: string }>> = {},
): MinchClient<{ url: string }, { url: string }> {
  return {
    init: (arg) => {
      log.push({ cb: 'init' });
      return { type: 'ok', state: arg };
    },
    connect: (state) => state.url,
    handleConnect: (_r, state) => {
      log.push({ cb: 'handleConnect' });
      return { type: 'ok', state };
    },
    handleFrame: (frame, state) => {
      log.push({ cb: 'handleFrame', arg: frame });
      if (frame.type === 'text' && frame.data === 'crash') return { type: 'stop', reason: 'boom', state };
      if (frame.type === 'text' && frame.data === 'quit') return { type: 'stop', reason: 'normal', state };
      return { type: 'ok', state };
    },
    terminate: (reason) => log.push({ cb: 'terminate', arg: reason }),
    ...overrides,
  };
}

describe('createSupervisor', () => {
  it('restarts a client whose init keeps throwing up to maxRestarts, then stops with a clear reason', async () => {
    const log = new Recorder<Ev>();
    const failing = client(log, {
      init: () => {
        log.push({ cb: 'init' });
        throw new Error('cannot start');
      },
    });
    const sup = createSupervisor([{ id: 'flaky', client: failing, initArg: { url: server.url } }], {
      maxRestarts: 3,
      withinMs: 10_000,
    });
    sups.push(sup);
    sup.start();
    const output = (await done(sup)) as { reason: { type: string; child: string; reason: { message: string } } };
    expect(log.events.filter((e) => e.cb === 'init')).toHaveLength(4);
    expect(output.reason).toMatchObject({ type: 'max_restarts', child: 'flaky' });
    expect(output.reason.reason.message).toContain('cannot start');
    expect(sup.getSnapshot().context.restarts).toBe(3);
  });

  it('restarts a crashed client from init; the restarted client reconnects and works under the same name', async () => {
    const log = new Recorder<Ev>();
    const sup = createSupervisor([{ id: 'echo', client: client(log), initArg: { url: server.url } }], {
      maxRestarts: 3,
    });
    sups.push(sup);
    sup.start();
    await log.waitFor((e) => e.cb === 'handleConnect');
    const first = sup.system.get('echo');
    expect(sendFrame(first, { type: 'text', data: 'crash' })).toEqual(E.right(undefined));
    await log.waitFor((e) => e.cb === 'handleConnect', { nth: 2 });
    expect(log.events.map((e) => e.cb)).toEqual([
      'init',
      'handleConnect',
      'handleFrame',
      'terminate',
      'init',
      'handleConnect',
    ]);
    const second = sup.system.get('echo');
    expect(second).not.toBe(first);
    expect(sendFrame(second, { type: 'text', data: 'still here' })).toEqual(E.right(undefined));
    await log.waitFor((e) => e.cb === 'handleFrame' && (e.arg as { data?: string }).data === 'still here');
    expect(server.connections()).toBe(2);
    expect(sup.getSnapshot().value).toBe('running');
  });

  it('does not restart a client that stopped normally', async () => {
    const log = new Recorder<Ev>();
    const sup = createSupervisor(
      [
        { id: 'a', client: client(log), initArg: { url: server.url } },
        { id: 'b', client: client(new Recorder<Ev>()), initArg: { url: server.url } },
      ],
      { maxRestarts: 3 },
    );
    sups.push(sup);
    sup.start();
    await server.socket(2);
    await log.waitFor((e) => e.cb === 'handleConnect');
    sendFrame(sup.system.get('a'), { type: 'text', data: 'quit' });
    await log.waitFor((e) => e.cb === 'terminate');
    expect(log.events.filter((e) => e.cb === 'init')).toHaveLength(1);
    expect(sup.system.get('a')).toBeUndefined();
    expect(sup.system.get('b')).toBeDefined();
    expect(sup.getSnapshot().context.restarts).toBe(0);
  });

  it('closes every child with 1001 "going away", then stops', async () => {
    const sup = createSupervisor(
      Array.from({ length: 5 }, (_, i) => ({
        id: `c${i}`,
        client: client(new Recorder<Ev>()),
        initArg: { url: server.url },
      })),
    );
    sups.push(sup);
    sup.start();
    await server.socket(5);
    await Promise.all(
      Array.from(
        { length: 5 },
        (_, i) =>
          new Promise<void>((r) => {
            const ref = sup.system.get(`c${i}`);
            if (stateName(ref.getSnapshot()) === 'open') return r();
            const sub = ref.subscribe((s: { value: unknown }) => stateName(s) === 'open' && (sub.unsubscribe(), r()));
          }),
      ),
    );
    await close(sup, { code: 1001, reason: 'going away' });
    const closes = server.recorder.events.filter((e) => e.type === 'close');
    expect(closes).toHaveLength(5);
    for (const c of closes) expect(c).toMatchObject({ code: 1001, reason: 'going away' });
    expect(sup.getSnapshot().output).toEqual({ reason: 'normal' });
  });

  it('refuses bad specs at once', () => {
    expect(() => createSupervisor([{ id: 'x', client: {} as never, initArg: null }])).toThrow(
      /client.connect is required/,
    );
    const c = client(new Recorder<Ev>());
    expect(() =>
      createSupervisor([
        { id: 'x', client: c, initArg: { url: '' } },
        { id: 'x', client: c, initArg: { url: '' } },
      ]),
    ).toThrow(/duplicate child id "x"/);
  });
});
