/**
 * The fake client socket: `ws`'s interface (`on`, `ping`, `pong`, `pause`,
 * `terminate`, the `upgrade` and `unexpected-response` events) and the WHATWG
 * one (`onopen`, `onmessage`, `onclose`, `onerror`, `binaryType`), as `ws`
 * has both. In Node, Minch drives it through `ws`'s interface; in a browser
 * bundle through the WHATWG one, as it drives the browser's own socket.
 * Payloads are `Uint8Array`s whose `toString()` is their UTF-8 text, where
 * `ws` gives `Buffer`s.
 */
import { OWNER, type SocketOwner } from '../socketOwner.js';
import { bytesOf, checkProtocols, checkUrl, clientKey } from './handshake.js';
import type { Link } from './link.js';
import { DISPATCH, type TestRequest } from './types.js';

/** What a test server does with a new fake socket: its link, answered or not. */
export type Connector = (socket: FakeWebSocket, request: TestRequest) => Link;

export const CONNECT = Symbol('minch.testing.connect');

const decoder = new TextDecoder();

/**
 * The fake WebSocket class of a test server (`createTestServer().WebSocket`).
 * Pass it as the `WebSocket` option; each instance is one connection to that server.
 */
export class FakeWebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  /** Set on each test server's subclass. */
  static [CONNECT]?: Connector;

  /** The URL given to the constructor. */
  readonly url: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readyState = 0;
  /** The subprotocol the server chose; '' until open or if none. */
  protocol = '';
  /** The largest message taken (`ws`'s `maxPayload` option; 0 for no limit). @default 104857600 */
  readonly maxPayload: number;
  /** Answer pings by itself (`ws`'s `autoPong` option). @default true */
  readonly autoPong: boolean;
  /** How `onmessage` gets binary data: `'arraybuffer'`, `'blob'`, or a `Uint8Array` for anything else. */
  binaryType = 'nodebuffer';
  /** WHATWG handler: the connection is open. */
  onopen: ((event: { type: 'open' }) => void) | null = null;
  /** WHATWG handler: a message; `data` is a string, or binary data as `binaryType` says. */
  onmessage: ((event: { type: 'message'; data: unknown }) => void) | null = null;
  /** WHATWG handler: the connection closed. */
  onclose: ((event: { type: 'close'; code: number; reason: string; wasClean: boolean }) => void) | null = null;
  /** WHATWG handler: the connection failed. */
  onerror: ((event: { type: 'error'; error: Error; message: string }) => void) | null = null;

  #owner: SocketOwner | undefined;
  readonly #eventListeners = new Map<string, ((event: never) => void)[]>();
  readonly #listeners = new Map<string, ((...args: never[]) => void)[]>();
  readonly #link: Link;

  /** Connects to the test server this class belongs to. Throws SyntaxError for a bad URL or subprotocol list, as `ws`. */
  constructor(
    url: string | URL,
    protocols?: string | string[],
    options?: { headers?: Record<string, string>; maxPayload?: number; autoPong?: boolean; origin?: string },
  ) {
    const connector = (new.target as typeof FakeWebSocket)[CONNECT];
    if (connector === undefined) throw new TypeError('use the WebSocket class of createTestServer()');
    const parsed = checkUrl(url);
    const offered = checkProtocols(protocols);
    this.url = String(url);
    this.maxPayload = options?.maxPayload ?? 100 * 1024 * 1024;
    this.autoPong = options?.autoPong ?? true;
    const headers: Record<string, string> = {
      host: parsed.host,
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': clientKey(),
    };
    for (const [k, v] of Object.entries(options?.headers ?? {})) headers[k.toLowerCase()] = String(v);
    if (options?.origin !== undefined) headers['origin'] = options.origin;
    if (offered.length > 0) headers['sec-websocket-protocol'] = offered.join(',');
    this.#link = connector(this, { url: parsed.href, headers, protocols: offered });
  }

  /** @internal The client that owns this socket: the test server remembers it, for `flush()`. */
  get [OWNER](): SocketOwner | undefined {
    return this.#owner;
  }
  /** @internal */
  set [OWNER](owner: SocketOwner | undefined) {
    this.#owner = owner;
    if (owner !== undefined) this.#link.onOwner(owner);
  }

  /** Sends a text (string) or binary message. Throws while connecting; does nothing once closing, as `ws`. */
  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.#writable()) this.#link.clientSend(typeof data === 'string' ? 'text' : 'binary', bytesOf(data));
  }
  /** Sends a ping (`ws`); the server answers with a pong unless its `autoPong` is off. */
  ping(data?: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.#writable()) this.#link.clientSend('ping', bytesOf(data));
  }
  /** Sends a pong (`ws`). */
  pong(data?: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.#writable()) this.#link.clientSend('pong', bytesOf(data));
  }
  /** Starts the closing handshake, or abandons a handshake in progress. Checks the code and reason as `ws`. */
  close(code?: number, reason?: string): void {
    this.#link.clientClose(code, reason);
  }
  /** Ends the connection with no closing handshake (`ws`). */
  terminate(): void {
    this.#link.clientTerminate();
  }
  /** Stops reading (`ws`): nothing more is delivered until `resume()`. */
  pause(): void {
    if (this.readyState === 1 || this.readyState === 2) this.#link.toClient.paused = true;
  }
  /** Reads again (`ws`). */
  resume(): void {
    this.#link.toClient.paused = false;
    this.#link.toClient.schedule();
  }

  /** Adds a `ws`-style listener. */
  on(type: string, listener: (...args: never[]) => void): this {
    const list = this.#listeners.get(type);
    if (list === undefined) this.#listeners.set(type, [listener]);
    else list.push(listener);
    return this;
  }
  /** Removes a `ws`-style listener. */
  off(type: string, listener: (...args: never[]) => void): this {
    const list = this.#listeners.get(type);
    const i = list?.indexOf(listener) ?? -1;
    if (i !== -1) list?.splice(i, 1);
    return this;
  }
  /** Removes every `ws`-style listener of `type`, or of every type. */
  removeAllListeners(type?: string): this {
    if (type === undefined) this.#listeners.clear();
    else this.#listeners.delete(type);
    return this;
  }
  /** Adds a WHATWG listener of `open`, `message`, `close` or `error`; it gets the same event as the `on*` handler. */
  addEventListener(type: string, listener: (event: never) => void): void {
    const list = this.#eventListeners.get(type);
    if (list === undefined) this.#eventListeners.set(type, [listener]);
    else if (!list.includes(listener)) list.push(listener);
  }
  /** Removes a WHATWG listener. */
  removeEventListener(type: string, listener: (event: never) => void): void {
    const list = this.#eventListeners.get(type);
    const i = list?.indexOf(listener) ?? -1;
    if (i !== -1) list?.splice(i, 1);
  }
  /** How many `ws`-style listeners `type` has. */
  listenerCount(type: string): number {
    return this.#listeners.get(type)?.length ?? 0;
  }

  /** @internal */
  [DISPATCH](type: string, ...args: unknown[]): void {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) {
      (listener as (...a: unknown[]) => void).apply(this, args);
    }
    const event = this.#event(type, args);
    if (event === null) return;
    (this[`on${type}` as 'onopen'] as ((e: unknown) => void) | null)?.(event);
    for (const listener of [...(this.#eventListeners.get(type) ?? [])]) (listener as (e: unknown) => void)(event);
  }

  /** The WHATWG event of a `ws` event, or null for events the WHATWG interface does not have. */
  #event(type: string, args: unknown[]): object | null {
    switch (type) {
      case 'open':
        return { type };
      case 'message': {
        const [bytes, isBinary] = args as [Uint8Array, boolean];
        return { type, data: isBinary ? this.#binary(bytes) : decoder.decode(bytes) };
      }
      case 'close': {
        const [code, reason] = args as [number, Uint8Array];
        return { type, code, reason: decoder.decode(reason), wasClean: code !== 1006 };
      }
      case 'error': {
        const error = args[0] as Error;
        return { type, error, message: error.message };
      }
      default:
        return null;
    }
  }

  #binary(bytes: Uint8Array): unknown {
    if (this.binaryType === 'arraybuffer') return bytes.slice().buffer;
    if (this.binaryType === 'blob') return new Blob([bytes.slice()]);
    return bytes;
  }

  #writable(): boolean {
    if (this.readyState === 0) throw new Error('WebSocket is not open: readyState 0 (CONNECTING)');
    return this.readyState === 1;
  }
}
