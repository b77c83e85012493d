/**
 * The `WebSocket` option against a real `ws` server on loopback: a `ws`
 * subclass is driven through `ws`'s interface, a WHATWG-style class through
 * the browser's, and undici's WebSocket (Node's own, in a child process) works.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { either as E } from 'fp-ts';
import WS from 'ws';
import { SimulatedClock } from 'xstate';
import { close, connect, createMinchActor, receiveFrame, sendFrame, type WebSocketClass } from '../src/index.js';
import { startSpyServer, type SpyServer } from './helpers/spyServer.js';
import { spyClient } from './helpers/spyClient.js';

let server: SpyServer;
beforeEach(async () => {
  server = await startSpyServer();
});
afterEach(() => server.close());

/** A `ws` subclass that counts what it constructs and sees the options Minch gives it. */
function countingWs() {
  const made: { url: string; protocols: unknown; headers: unknown }[] = [];
  class Counting extends WS {
    constructor(url: string, protocols?: string | string[], options?: WS.ClientOptions) {
      super(url, protocols, options);
      made.push({ url, protocols, headers: options?.headers });
    }
  }
  return { Counting, made };
}

/**
 * A WHATWG-style class over `ws`: the browser's interface (on* handlers,
 * `send`, `close`) and none of `ws`'s (`on`, `ping`, `pause`).
 */
class WhatwgStyle {
  static made = 0;
  readonly #ws: WS;
  onopen: ((ev: object) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: object) => void) | null = null;
  binaryType = 'blob';
  constructor(url: string, protocols?: string | string[]) {
    WhatwgStyle.made++;
    this.#ws = new WS(url, protocols);
    this.#ws.binaryType = 'arraybuffer';
    this.#ws.on('open', () => this.onopen?.({}));
    this.#ws.on('message', (data, isBinary) => this.onmessage?.({ data: isBinary ? data : String(data) }));
    this.#ws.on('close', (code, reason) => this.onclose?.({ code, reason: String(reason) }));
    this.#ws.on('error', () => this.onerror?.({}));
  }
  get readyState(): number {
    return this.#ws.readyState;
  }
  get protocol(): string {
    return this.#ws.protocol;
  }
  send(data: string | ArrayBufferLike | Uint8Array): void {
    this.#ws.send(data);
  }
  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason);
  }
}

describe('the WebSocket option', () => {
  it('constructs a ws subclass per attempt, with the headers and protocols of connect(state)', async () => {
    const { Counting, made } = countingWs();
    const spy = spyClient(server.url, {
      connect: () => ({ url: server.url, headers: { 'x-hello': 'world' }, protocols: ['chat'] }),
    });
    const actor = createMinchActor(spy.client, null, { WebSocket: Counting, heartbeat: false }).start();
    const { response } = await spy.on('handleConnect');
    expect(response.protocol).toBe('chat');
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ url: server.url, protocols: ['chat'], headers: { 'x-hello': 'world' } });
    const upgrade = await server.recorder.waitFor((e) => e.type === 'upgrade');
    expect(upgrade).toMatchObject({ headers: { 'x-hello': 'world' } });
    await close(actor);
  });

  it("drives a ws subclass through ws's interface: protocol pings, and the heartbeat on by default", async () => {
    const { Counting } = countingWs();
    const spy = spyClient(server.url);
    const actor = createMinchActor(spy.client, null, { WebSocket: Counting }).start();
    await spy.on('handleConnect');
    expect(actor.getSnapshot().context.timings.heartbeat).not.toBe(false);
    expect(sendFrame(actor, { type: 'ping', data: new TextEncoder().encode('p') })).toEqual(E.right(undefined));
    await server.recorder.waitFor((e) => e.type === 'ping' && e.data === 'p');
    await close(actor);
  });

  it('drives a WHATWG-style class as a browser socket: no heartbeat by default, no pings, text both ways', async () => {
    WhatwgStyle.made = 0;
    const spy = spyClient(server.url);
    const actor = createMinchActor(spy.client, null, { WebSocket: WhatwgStyle }).start();
    await spy.on('handleConnect');
    expect(WhatwgStyle.made).toBe(1);
    expect(actor.getSnapshot().context.timings.heartbeat).toBe(false);
    const ping = sendFrame(actor, 'ping');
    expect(E.isLeft(ping) && ping.left).toMatchObject({ type: 'unsupported' });
    expect(sendFrame(actor, { type: 'text', data: 'hi' })).toEqual(E.right(undefined));
    const frame = await spy.on('handleFrame');
    expect(frame).toMatchObject({ frame: { type: 'text', data: 'hi' } });
    await close(actor);
    expect(await server.recorder.waitFor((e) => e.type === 'close')).toMatchObject({ code: 1000 });
  });

  it("refuses custom headers with a WHATWG-style class: connect_error 'unsupported', nothing constructed", async () => {
    WhatwgStyle.made = 0;
    const spy = spyClient(server.url, {
      connect: () => ({ url: server.url, headers: { authorization: 'Bearer t' } }),
      handleDisconnect: (_r, _a, state) => ({ type: 'stop', reason: 'normal', state }),
    });
    createMinchActor(spy.client, null, { WebSocket: WhatwgStyle }).start();
    const { reason } = await spy.on('handleDisconnect');
    expect(reason).toMatchObject({ type: 'connect_error', reason: 'unsupported' });
    expect((reason as { message: string }).message).toMatch(/WHATWG-style WebSocket cannot send custom headers/);
    expect(WhatwgStyle.made).toBe(0);
  });

  it("drives the ws socket a factory function returns through ws's interface", async () => {
    // A plain function, not a class: its prototype has no `on`, its sockets do.
    const Factory = function (url: string, protocols?: string | string[]) {
      return new WS(url, protocols);
    } as unknown as WebSocketClass;
    const spy = spyClient(server.url);
    const actor = createMinchActor(spy.client, null, { WebSocket: Factory, heartbeat: false }).start();
    await spy.on('handleConnect');
    expect(sendFrame(actor, { type: 'ping', data: new TextEncoder().encode('f') })).toEqual(E.right(undefined));
    const { frame } = (await spy.on('handleFrame')) as { frame: unknown };
    expect(frame).toEqual({ type: 'pong', data: new TextEncoder().encode('f') });
    await close(actor);
  });

  it('is taken by connect() too', async () => {
    const { Counting, made } = countingWs();
    const result = await connect(server.url, { WebSocket: Counting, heartbeat: false });
    if (E.isLeft(result)) throw new Error('connect failed');
    expect(made).toHaveLength(1);
    (await server.socket()).send('hello');
    expect(await receiveFrame(result.right)).toEqual({ type: 'text', data: 'hello' });
    await close(result.right);
  });

  it("runs receiveFrame's timeout on connect's clock", async () => {
    const clock = new SimulatedClock();
    const result = await connect(server.url, { clock, heartbeat: false });
    if (E.isLeft(result)) throw new Error('connect failed');
    let got: unknown = null;
    void receiveFrame(result.right, 1000).then((f) => (got = f));
    clock.increment(999);
    await Promise.resolve();
    expect(got).toBe(null);
    clock.increment(1);
    await Promise.resolve();
    expect(got).toBe('timeout');
    await close(result.right);
  });

  it.each([42, 'ws', {}, null])('throws a TypeError for WebSocket: %j', (value) => {
    const spy = spyClient(server.url);
    const make = () => createMinchActor(spy.client, null, { WebSocket: value as unknown as WebSocketClass });
    expect(make).toThrow(TypeError);
    expect(make).toThrow(/createMinchActor: WebSocket must be a WebSocket class/);
  });

  it("works with undici's WebSocket (Node's own, --experimental-websocket in Node 20)", async () => {
    const script = `
      import { createMinchActor, close, sendFrame } from './src/index.ts';
      const got = [];
      const actor = createMinchActor({
        connect: () => ({ url: process.argv[1] }),
        handleConnect: (_r, s) => { sendFrame(actor, { type: 'text', data: 'undici' }); return { type: 'ok', state: s }; },
        handleFrame: (f, s) => { got.push(f); return { type: 'stop', reason: 'normal', state: s }; },
      }, null, { WebSocket: globalThis.WebSocket }).start();
      actor.subscribe({ complete: () => console.log(JSON.stringify(got)) });
    `;
    const flags = ['--experimental-websocket', '--no-warnings', '--import', 'tsx', '--input-type=module'];
    // Asynchronous: the server runs in this process.
    const child = await promisify(execFile)(process.execPath, [...flags, '-e', script, server.url], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual([{ type: 'text', data: 'undici' }]);
  });
});
