/**
 * Security: TLS verification against a local `wss` server signed by a test CA
 * (test/fixtures/tls), and docs/behaviour.md §11.1 "Secrets": URL user-info, query strings and
 * header values never appear in logs, error messages, disconnect reasons,
 * snapshots, inspection events, diagnostics_channel messages or metrics —
 * checked with canary secrets that the server really receives.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { either as E } from 'fp-ts';
import type { InspectionEvent } from 'xstate';
import {
  close,
  connect,
  createMinchActor,
  MINCH_CHANNELS,
  receiveFrame,
  sendFrame,
  type Connection,
  type DisconnectReason,
  type Logger,
  type MinchActor,
} from '../src/index.js';
import { instrumentMinch } from '../src/otel.js';
import { spyClient } from './helpers/spyClient.js';
import { refusedPort } from './helpers/refusedPort.js';
import type { WebSocket } from 'ws';
import { Recorder } from './helpers/recorder.js';
import { startSpyServer, type ServerEvent, type SpyServer } from './helpers/spyServer.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/tls/${name}`, import.meta.url), 'utf8');
const CA = fixture('ca.pem');
const CERT = fixture('server.pem');
const KEY = fixture('server-key.pem');

// ---- a local wss echo server: the spy server with the test certificate ----

type TlsServer = SpyServer;

// ---- bookkeeping ----

const actors: MinchActor[] = [];
const conns: Connection[] = [];
const servers: { close(): Promise<void> }[] = [];

function start(actor: MinchActor): MinchActor {
  actors.push(actor);
  actor.start();
  return actor;
}

async function tlsServer(): Promise<TlsServer> {
  const s = await startSpyServer({ tls: { key: KEY, cert: CERT } });
  servers.push(s);
  return s;
}

async function spyServer(options: Parameters<typeof startSpyServer>[0] = {}): Promise<SpyServer> {
  const s = await startSpyServer(options);
  servers.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(actors.splice(0).map((a) => close(a)));
  await Promise.all(conns.splice(0).map((c) => close(c)));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  vi.restoreAllMocks();
});

// ---- 1. TLS verification ----

describe('TLS: the client actor', () => {
  it('refuses a self-signed chain by default: handleDisconnect gets connect_error "tls"', async () => {
    const server = await tlsServer();
    const spy = spyClient(server.url, {
      handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: 'normal', state }),
    });
    start(createMinchActor(spy.client, null));
    const d = await spy.on('handleDisconnect');
    expect(d.reason).toMatchObject({ type: 'connect_error', reason: 'tls' });
    expect(spy.calls('handleConnect')).toHaveLength(0);
    expect(server.recorder.events.filter((e) => e.type === 'upgrade')).toHaveLength(0);
  });

  it('connects with options.ca set to the test CA: status 101, and the echo comes back', async () => {
    const server = await tlsServer();
    const spy = spyClient(server.url, { connect: () => ({ url: server.url, options: { ca: CA } }) });
    const actor = start(createMinchActor(spy.client, null));
    const { response } = await spy.on('handleConnect');
    expect(response.status).toBe(101);
    expect(sendFrame(actor, { type: 'text', data: 'over tls' })).toEqual(E.right(undefined));
    const { frame } = await spy.on('handleFrame');
    expect(frame).toEqual({ type: 'text', data: 'over tls' });
    expect(spy.calls('handleDisconnect')).toHaveLength(0);
  });

  it('connects with options.rejectUnauthorized false', async () => {
    const server = await tlsServer();
    const spy = spyClient(server.url, { connect: () => ({ url: server.url, options: { rejectUnauthorized: false } }) });
    const actor = start(createMinchActor(spy.client, null));
    const { response } = await spy.on('handleConnect');
    expect(response.status).toBe(101);
    expect(sendFrame(actor, { type: 'text', data: 'unverified' })).toEqual(E.right(undefined));
    expect((await spy.on('handleFrame')).frame).toEqual({ type: 'text', data: 'unverified' });
  });
});

describe('TLS: the simple client', () => {
  it('connect(url) refuses a self-signed chain: Left connect_error "tls", nothing left running', async () => {
    const server = await tlsServer();
    const result = await connect(server.url, { timeoutMs: 5000 });
    expect(result).toEqual(E.left(expect.objectContaining({ type: 'connect_error', reason: 'tls' })));
    expect(server.recorder.events.filter((e) => e.type === 'upgrade')).toHaveLength(0);
  });

  it('connect(url, { ca }) connects: status 101, and the echo comes back', async () => {
    const server = await tlsServer();
    const result = await connect(server.url, { ca: CA, timeoutMs: 5000 });
    if (E.isLeft(result)) throw new Error(`expected Right, got Left ${JSON.stringify(result.left)}`);
    const conn = result.right;
    conns.push(conn);
    expect(conn.response.status).toBe(101);
    expect(sendFrame(conn, { type: 'text', data: 'over tls' })).toEqual(E.right(undefined));
    expect(await receiveFrame(conn)).toEqual({ type: 'text', data: 'over tls' });
  });

  it('connect(url, { rejectUnauthorized: false }) connects', async () => {
    const server = await tlsServer();
    const result = await connect(server.url, { rejectUnauthorized: false, timeoutMs: 5000 });
    if (E.isLeft(result)) throw new Error(`expected Right, got Left ${JSON.stringify(result.left)}`);
    conns.push(result.right);
    expect(result.right.response.status).toBe(101);
    expect(sendFrame(result.right, { type: 'text', data: 'unverified' })).toEqual(E.right(undefined));
    expect(await receiveFrame(result.right)).toEqual({ type: 'text', data: 'unverified' });
  });
});

// ---- 2. Canary secrets ----

const CANARIES = [
  'canaryuser',
  'canarypass',
  'canarytoken',
  'canaryheader',
  // The user-info as it would travel in a Basic authorization header.
  Buffer.from('canaryuser:canarypass').toString('base64'),
];

const canaryUrl = (scheme: 'ws' | 'wss', port: number): string =>
  `${scheme}://canaryuser:canarypass@127.0.0.1:${port}/path?token=canarytoken`;
const CANARY_HEADERS = { authorization: 'Bearer canaryheader' };

function isActorRef(v: object): boolean {
  const r = v as { sessionId?: unknown; send?: unknown; getSnapshot?: unknown };
  return typeof r.sessionId === 'string' && typeof r.send === 'function' && typeof r.getSnapshot === 'function';
}

/** JSON.stringify that survives cycles, drops functions and actor refs, and keeps what Errors and byte arrays hold. */
function stringify(value: unknown): string {
  const seen = new WeakSet<object>();
  const out = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = key === '' ? v : this[key]; // before toJSON (Buffer, actor refs)
    if (typeof raw === 'function' || typeof v === 'function') return undefined;
    if (typeof v === 'bigint') return String(v);
    if (raw instanceof Uint8Array)
      return `<bytes ${Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1')}>`;
    if (raw instanceof Error) {
      const e = raw as Error & { code?: unknown };
      return { name: e.name, message: e.message, code: e.code, cause: e.cause };
    }
    if (typeof raw === 'object' && raw !== null) {
      if (isActorRef(raw)) return `<actor ${String((raw as { id?: unknown }).id)}>`;
      if (seen.has(raw)) return '<seen>';
      seen.add(raw);
    }
    return v;
  });
  return out ?? String(value);
}

/** Everything the library said, showed or reported during one scenario. */
class Capture {
  readonly entries: { source: string; text: string }[] = [];

  add(source: string, value: unknown): void {
    this.entries.push({ source, text: stringify(value) });
  }

  readonly logger: Logger = {
    debug: (...args) => this.add('logger.debug', args),
    info: (...args) => this.add('logger.info', args),
    warn: (...args) => this.add('logger.warn', args),
    error: (...args) => this.add('logger.error', args),
  };

  readonly inspect = (ev: InspectionEvent): void => {
    const e = ev as { event?: unknown; snapshot?: unknown; action?: unknown };
    this.add('inspect', { type: ev.type, event: e.event, snapshot: e.snapshot, action: e.action });
  };

  /** Every diagnostics_channel message, and every metric minch/otel records, until the returned stop. */
  listen(): () => Promise<void> {
    const handlers = Object.values(MINCH_CHANNELS).map((name) => {
      const handler = (message: unknown): void => this.add(`channel ${name}`, message);
      subscribe(name, handler);
      return [name, handler] as const;
    });
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const uninstrument = instrumentMinch({ meterProvider: provider });
    return async () => {
      for (const [name, handler] of handlers) unsubscribe(name, handler);
      uninstrument();
      await reader.forceFlush();
      this.add('metrics', exporter.getMetrics());
      await provider.shutdown();
    };
  }

  spyConsole(): void {
    vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => this.add('console.warn', args));
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => this.add('console.error', args));
  }

  count(source: string): number {
    return this.entries.filter((e) => e.source === source).length;
  }

  /** No canary anywhere (case-insensitive), and enough material that the check means something. */
  expectNoSecrets(requiredSources: string[]): void {
    expect(this.entries.length).toBeGreaterThan(0);
    for (const source of requiredSources) expect(this.count(source), `entries from ${source}`).toBeGreaterThan(0);
    for (const canary of CANARIES) {
      const leaks = this.entries.filter((e) => e.text.toLowerCase().includes(canary.toLowerCase()));
      expect(leaks, `"${canary}" leaked`).toEqual([]);
    }
  }
}

/** Asserts that the server was really given the header and the query token. */
function expectServerGotSecrets(recorder: Recorder<ServerEvent>): void {
  const upgrade = recorder.events.find((e) => e.type === 'upgrade') as
    Extract<ServerEvent, { type: 'upgrade' }> | undefined;
  expect(upgrade, 'the server saw an upgrade request').toBeDefined();
  expect(upgrade?.headers.authorization).toBe('Bearer canaryheader');
  expect(upgrade?.url).toBe('/path?token=canarytoken');
}

type Situation = 'tls_refused' | 'connected' | 'upgrade_401' | 'port_refused' | 'dropped';

interface Setup {
  url: string;
  options: Record<string, unknown>;
  recorder: Recorder<ServerEvent> | null;
  socket: ((n?: number) => Promise<WebSocket>) | null;
}

async function setUp(situation: Situation): Promise<Setup> {
  switch (situation) {
    case 'tls_refused': {
      const s = await tlsServer();
      return { url: canaryUrl('wss', s.port), options: {}, recorder: s.recorder, socket: s.socket };
    }
    case 'connected':
    case 'dropped': {
      const s = await tlsServer();
      return { url: canaryUrl('wss', s.port), options: { ca: CA }, recorder: s.recorder, socket: s.socket };
    }
    case 'upgrade_401': {
      const s = await spyServer({ rejectWith: () => 401 });
      return { url: canaryUrl('ws', s.port), options: {}, recorder: s.recorder, socket: null };
    }
    case 'port_refused':
      return { url: canaryUrl('wss', await refusedPort()), options: { ca: CA }, recorder: null, socket: null };
  }
}

const SITUATIONS: Situation[] = ['tls_refused', 'connected', 'upgrade_401', 'port_refused', 'dropped'];
const LOGGING = [
  { name: 'a logger option', withLogger: true },
  { name: 'the default console logger', withLogger: false },
];

describe.each(LOGGING)('canary secrets: the client actor, with $name', ({ withLogger }) => {
  it.each(SITUATIONS)(
    '%s: no secret in logs, inspection events, snapshots, callbacks or the console',
    async (situation) => {
      const capture = new Capture();
      capture.spyConsole();
      const stopListening = capture.listen();
      const setup = await setUp(situation);
      const spy = spyClient<{ n: number }>(setup.url, {
        connect: () => ({ url: setup.url, headers: CANARY_HEADERS, options: setup.options }),
        // One reconnect, then stop: two attempts' worth of material, then a final snapshot.
        handleDisconnect: (_r, attempt, state) =>
          attempt < 2 && situation !== 'dropped'
            ? { type: 'reconnect', backoff: 0, state }
            : { type: 'stop', reason: 'done', state },
      });
      const actor = createMinchActor(
        spy.client,
        { n: 0 },
        { inspect: capture.inspect, ...(withLogger && { logger: capture.logger }) },
      );
      actor.subscribe((s) => capture.add('snapshot', s));
      start(actor);

      switch (situation) {
        case 'tls_refused':
          expect((await spy.on('handleDisconnect', { nth: 2 })).reason).toMatchObject({
            type: 'connect_error',
            reason: 'tls',
          });
          break;
        case 'connected': {
          await spy.on('handleConnect');
          expect(sendFrame(actor, { type: 'text', data: 'hello' })).toEqual(E.right(undefined));
          expect((await spy.on('handleFrame')).frame).toEqual({ type: 'text', data: 'hello' });
          await close(actor);
          break;
        }
        case 'upgrade_401':
          expect((await spy.on('handleDisconnect', { nth: 2 })).reason).toMatchObject({
            type: 'upgrade_failed',
            status: 401,
          });
          break;
        case 'port_refused':
          expect((await spy.on('handleDisconnect', { nth: 2 })).reason).toMatchObject({
            type: 'connect_error',
            reason: 'econnrefused',
          });
          break;
        case 'dropped': {
          await spy.on('handleConnect');
          (await setup.socket!()).terminate();
          expect((await spy.on('handleDisconnect')).reason).toMatchObject({ type: 'closed', code: 1006 });
          break;
        }
      }
      await spy.on('terminate');
      const final = actor.getSnapshot();
      expect(final.status).toBe('done');
      capture.add('final snapshot', final);
      for (const e of spy.recorder.events) capture.add(`callback.${e.cb}`, e);

      if (setup.recorder !== null && situation !== 'tls_refused') expectServerGotSecrets(setup.recorder);
      await stopListening();
      const channels = [`channel ${MINCH_CHANNELS.attempt}`, `channel ${MINCH_CHANNELS.stop}`, 'metrics'];
      const required = ['inspect', 'snapshot', 'final snapshot', ...channels, ...(withLogger ? ['logger.debug'] : [])];
      if (situation !== 'connected') required.push('callback.handleDisconnect');
      capture.expectNoSecrets(required);
    },
  );
});

describe.each(LOGGING)('canary secrets: the simple client, with $name', ({ withLogger }) => {
  it.each(SITUATIONS)('%s: no secret in Left values, closed reasons, logs or the console', async (situation) => {
    const capture = new Capture();
    capture.spyConsole();
    const stopListening = capture.listen();
    const setup = await setUp(situation);
    const result = await connect(setup.url, {
      headers: CANARY_HEADERS,
      timeoutMs: 5000,
      ...setup.options,
      ...(withLogger && { logger: capture.logger }),
    });
    capture.add('result', E.isLeft(result) ? result : { right: { response: result.right.response } });

    let closed: DisconnectReason | null = null;
    switch (situation) {
      case 'tls_refused':
        expect(result).toEqual(E.left(expect.objectContaining({ type: 'connect_error', reason: 'tls' })));
        break;
      case 'upgrade_401':
        expect(result).toEqual(E.left(expect.objectContaining({ type: 'upgrade_failed', status: 401 })));
        break;
      case 'port_refused':
        expect(result).toEqual(E.left(expect.objectContaining({ type: 'connect_error', reason: 'econnrefused' })));
        break;
      case 'connected': {
        if (E.isLeft(result)) throw new Error(`expected Right, got Left ${JSON.stringify(result.left)}`);
        const conn = result.right;
        conns.push(conn);
        expect(sendFrame(conn, { type: 'text', data: 'hello' })).toEqual(E.right(undefined));
        expect(await receiveFrame(conn)).toEqual({ type: 'text', data: 'hello' });
        await close(conn);
        closed = await conn.closed;
        expect(closed).toEqual({ type: 'closed', code: 1000, reason: '' });
        break;
      }
      case 'dropped': {
        if (E.isLeft(result)) throw new Error(`expected Right, got Left ${JSON.stringify(result.left)}`);
        const conn = result.right;
        conns.push(conn);
        (await setup.socket!()).terminate();
        closed = await conn.closed;
        expect(closed).toMatchObject({ type: 'closed', code: 1006 });
        const last = await receiveFrame(conn);
        expect(last).toMatchObject({ type: 'close', code: 1006 });
        capture.add('receiveFrame', last);
        break;
      }
    }
    if (closed !== null) capture.add('closed', closed);

    if (setup.recorder !== null && situation !== 'tls_refused') expectServerGotSecrets(setup.recorder);
    await stopListening();
    capture.expectNoSecrets(['result', `channel ${MINCH_CHANNELS.attempt}`, ...(closed !== null ? ['closed'] : [])]);
  });
});
