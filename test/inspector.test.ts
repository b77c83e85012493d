/**
 * The inspection stream, offline: XState's `inspect` observer sees every
 * state of the statechart, and the Stately inspector's WebSocket client
 * serialises them to a local server without secrets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createWebSocketInspector } from '@statelyai/inspect';
import type { InspectionEvent } from 'xstate';
import { close, createMinchActor, stateName, type MinchActor } from '../src/index.js';
import { startSpyServer, type SpyServer } from './helpers/spyServer.js';
import { spyClient } from './helpers/spyClient.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function server(): Promise<SpyServer> {
  const s = await startSpyServer();
  cleanup.push(() => s.close());
  return s;
}

function rootStates(events: InspectionEvent[], actor: MinchActor): string[] {
  const out: string[] = [];
  for (const ev of events) {
    if (ev.type !== '@xstate.snapshot' || ev.actorRef !== actor) continue;
    const v = stateName(ev.snapshot as unknown as { value: unknown });
    if (out.at(-1) !== v) out.push(v);
  }
  return out;
}

describe('inspection', () => {
  it('shows every state of a connection and the events that moved it, with no child actor per socket', async () => {
    const echo = await server();
    const events: InspectionEvent[] = [];
    const spy = spyClient(echo.url, {
      handleDisconnect: (_r, _a, state) => ({ type: 'reconnect', backoff: 0, state }),
    });
    const actor = createMinchActor(spy.client, null, { inspect: (ev) => void events.push(ev) });
    actor.start();
    await spy.on('handleConnect');
    (await echo.socket()).terminate();
    await spy.on('handleConnect', { nth: 2 });
    await close(actor);
    expect(rootStates(events, actor)).toEqual([
      'idle',
      'connecting',
      'open',
      'backoff',
      'connecting',
      'open',
      'closing',
      'stopped',
    ]);
    expect(events.filter((e) => e.type === '@xstate.actor').map((e) => e.actorRef)).toEqual([actor]);
    const eventTypes = events.flatMap((e) =>
      e.type === '@xstate.event' && e.actorRef === actor ? [e.event.type] : [],
    );
    const lifecycle = ['callback.initialised', 'callback.target', 'socket.open', 'socket.closed', 'callback.reconnect'];
    expect(eventTypes).toEqual(expect.arrayContaining([...lifecycle, 'user.stop', 'callback.terminated']));
  });

  it('streams through the Stately WebSocket inspector to a local server, without secrets', async () => {
    const echo = await server();
    const sink = await startSpyServer({ echo: false });
    cleanup.push(() => sink.close());
    const inspector = createWebSocketInspector({ url: sink.url });
    cleanup.push(() => inspector.stop());
    const spy = spyClient('', {
      connect: () => ({ url: `${echo.url}?token=canarytoken`, headers: { authorization: 'Bearer canaryheader' } }),
    });
    const actor = createMinchActor(spy.client, null, { inspect: inspector.inspect });
    actor.start();
    await spy.on('handleConnect');
    await close(actor);
    await sink.recorder.waitFor(
      (e) => e.type === 'message' && typeof e.data === 'string' && e.data.includes('"stopped"'),
      { label: 'stopped snapshot' },
    );
    const payload = sink.recorder.events
      .filter((e) => e.type === 'message')
      .map((e) => String((e as { data: unknown }).data))
      .join('\n');
    expect(payload).toContain('"open"');
    expect(payload).not.toContain('canarytoken');
    expect(payload).not.toContain('canaryheader');
  });
});
