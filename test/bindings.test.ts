/**
 * The framework bindings in Node, against a real `ws` server on loopback:
 * `minch/svelte`'s store keeps Svelte's store contract; `useMinch` (Svelte and
 * React) opens no socket while rendering on the server. (Mounting in a browser,
 * React's StrictMode and unmounting are covered by test/e2e/examples.test.ts.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { either as E } from 'fp-ts';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { compile } from 'svelte/compiler';
import { render } from 'svelte/server';
import { waitFor } from 'xstate';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { close, createMinchActor, stateName, type Logger, type MinchActor, type MinchClient } from '../src/index.js';
import { useMinch as useMinchReact } from '../src/react.js';
import { minchStore, useMinch as useMinchSvelte, type MinchSnapshot } from '../src/svelte.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

interface Lines {
  url: string;
  lines: string[];
}

const linesClient: MinchClient<Lines, Lines, never> = {
  connect: (state) => state.url,
  handleFrame: (frame, state) =>
    frame.type === 'text'
      ? { type: 'ok', state: { ...state, lines: [...state.lines, frame.data] } }
      : { type: 'ok', state },
  handleDisconnect: (_reason, _attempt, state) => ({ type: 'reconnect', backoff: 50, state }),
};

let wss: WebSocketServer;
let url = '';
let sockets: WebSocket[] = [];
const actors: MinchActor[] = [];

beforeEach(async () => {
  sockets = [];
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws) => sockets.push(ws));
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
});

afterEach(async () => {
  await Promise.all(actors.splice(0).map((a) => close(a)));
  for (const ws of wss.clients) ws.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
});

function newActor(): MinchActor {
  const actor = createMinchActor(linesClient, { url, lines: [] }, { logger: silent });
  actors.push(actor);
  return actor;
}

const linesOf = (s: MinchSnapshot): string[] => (s.context.state as Lines).lines;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('minchStore (minch/svelte)', () => {
  it('delivers the current snapshot synchronously on subscribe, then every update, until unsubscribed', async () => {
    const actor = newActor();
    const store = minchStore(actor);

    // Before start: the initial snapshot, at once.
    const early: MinchSnapshot[] = [];
    store.subscribe((s) => early.push(s))();
    expect(early).toHaveLength(1);
    expect(stateName(early[0]!)).toBe('idle');

    actor.start();
    await waitFor(actor, (s) => stateName(s) === 'open', { timeout: 5_000 });
    const server = sockets[0]!;

    // A subscriber arriving later gets the current snapshot, not the one the store was made with.
    const a: MinchSnapshot[] = [];
    const unsubscribeA = store.subscribe((s) => a.push(s));
    expect(a).toHaveLength(1);
    expect(a[0]).toBe(actor.getSnapshot());
    expect(stateName(a[0]!)).toBe('open');

    // Updates follow.
    server.send('one');
    await expect.poll(() => a.map(linesOf).at(-1), { timeout: 5_000 }).toEqual(['one']);

    // A second subscriber gets the current snapshot at once too.
    const b: MinchSnapshot[] = [];
    const unsubscribeB = store.subscribe((s) => b.push(s));
    expect(b).toHaveLength(1);
    expect(linesOf(b[0]!)).toEqual(['one']);

    // After unsubscribing, A hears nothing more; B still does.
    unsubscribeA();
    const seenByA = a.length;
    server.send('two');
    await expect.poll(() => b.map(linesOf).at(-1), { timeout: 5_000 }).toEqual(['one', 'two']);
    expect(a).toHaveLength(seenByA);

    // Lifecycle changes reach the store as well: a server drop shows backoff, then open again.
    server.terminate();
    await expect.poll(() => b.map((s) => stateName(s)), { timeout: 5_000 }).toContain('backoff');
    await expect.poll(() => stateName(b.at(-1)!), { timeout: 5_000 }).toBe('open');
    expect(b.find((s) => stateName(s) === 'backoff')!.context.lastDisconnect).toMatchObject({
      type: 'closed',
      code: 1006,
    });

    unsubscribeB();
    const seenByB = b.length;
    await close(actor);
    expect(b).toHaveLength(seenByB);
    expect(a).toHaveLength(seenByA);

    // A stopped actor: its final snapshot, at once.
    const late: MinchSnapshot[] = [];
    store.subscribe((s) => late.push(s))();
    expect(late).toHaveLength(1);
    expect(late[0]!.status).toBe('done');
  });

  it('works with Svelte’s get() and neither starts nor stops the actor', async () => {
    const { get } = await import('svelte/store');
    const actor = newActor();
    const store = minchStore(actor);
    expect(stateName(get(store))).toBe('idle');
    await sleep(50);
    expect(sockets).toHaveLength(0);
    actor.start();
    await waitFor(actor, (s) => stateName(s) === 'open', { timeout: 5_000 });
    expect(stateName(get(store))).toBe('open');
    expect(actor.getSnapshot().status).toBe('active');
  });
});

describe('useMinch (minch/svelte)', () => {
  it('throws outside component initialisation', () => {
    expect(() => useMinchSvelte(linesClient, { url, lines: [] }, { logger: silent })).toThrow();
  });

  it('renders on the server without opening a socket', async () => {
    // A component compiled for the server; useMinch and the client come in as props.
    const { js } = compile(
      `<script>
        let { useMinch, client, initArg, options, onActor } = $props();
        const { snapshot, sendFrame, actorRef } = useMinch(client, initArg, options);
        onActor(actorRef, sendFrame({ type: 'text', data: 'too early' }));
      </script>
      <p data-state={$snapshot.value}>{$snapshot.value}, attempt {$snapshot.context.attempt}</p>`,
      { generate: 'server', filename: 'Probe.svelte' },
    );
    const dir = join(fileURLToPath(new URL('..', import.meta.url)), 'test-output', 'bindings');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'Probe.server.js');
    writeFileSync(file, js.code);
    const Probe = (await import(/* @vite-ignore */ pathToFileURL(file).href)).default;

    let actor: MinchActor | undefined;
    let sent: E.Either<unknown, void> | undefined;
    const { body } = await render(Probe, {
      props: {
        useMinch: useMinchSvelte,
        client: linesClient,
        initArg: { url, lines: [] },
        options: { logger: silent },
        onActor: (a: MinchActor, s: E.Either<unknown, void>) => {
          actor = a;
          sent = s;
        },
      },
    });
    expect(body).toContain('data-state="idle"');
    expect(body).toContain('idle, attempt 0');
    expect(sent).toEqual(E.left({ type: 'not_connected' }));
    // onMount never runs on the server: the actor was created but never started.
    expect(stateName(actor!.getSnapshot())).toBe('idle');
    await sleep(50);
    expect(sockets).toHaveLength(0);
  });
});

describe('useMinch (minch/react)', () => {
  it('renders on the server without opening a socket', async () => {
    const seen: { value: unknown; sent: unknown }[] = [];
    function Probe() {
      const { snapshot, sendFrame, actorRef } = useMinchReact(linesClient, { url, lines: [] }, { logger: silent });
      actors.push(actorRef);
      seen.push({ value: stateName(snapshot), sent: sendFrame({ type: 'text', data: 'too early' }) });
      return createElement(
        'p',
        { 'data-state': stateName(snapshot) },
        `${stateName(snapshot)}, attempt ${snapshot.context.attempt}`,
      );
    }
    const html = renderToString(createElement(Probe));
    expect(html).toBe('<p data-state="idle">idle, attempt 0</p>');
    expect(seen).toEqual([{ value: 'idle', sent: E.left({ type: 'not_connected' }) }]);
    await sleep(50);
    expect(sockets).toHaveLength(0);
  });
});
