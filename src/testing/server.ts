/**
 * The test server: it receives every fake socket its `WebSocket` class opens,
 * answers or holds each handshake, and gives the test each connection to
 * drive. No network, no timer: everything happens in microtasks, so a client
 * on XState's `SimulatedClock` runs hours of backoff in milliseconds.
 */
import type { Frame } from '../types.js';
import { bytesOf } from './handshake.js';
import { CONNECT, FakeWebSocket } from './fakeSocket.js';
import { Link } from './link.js';
import type { CloseInfo, HandshakeAnswer, TestRequest } from './types.js';

/** Options of `createTestServer`. */
export interface TestServerOptions {
  /**
   * How each handshake is answered: `'accept'` (the first offered subprotocol),
   * `'manual'` (the test calls `accept`, `refuse` or `fail` on the connection,
   * or never answers), or a function of the request that returns the answer,
   * or undefined to leave it to the test.
   * @default 'accept'
   */
  handshake?: 'accept' | 'manual' | ((request: TestRequest, index: number) => HandshakeAnswer | undefined);
  /**
   * Answer the client's pings with pongs, as `ws` servers do. Turn it off to
   * play a silent peer that the client's heartbeat should find.
   * @default true
   */
  autoPong?: boolean;
  /**
   * Answer the client's close frame, as every server should. Turn it off to
   * play a server that never does: the client's `closeTimeoutMs` then ends
   * the connection (the server sees 1006, or the client's frame if it arrived).
   * @default true
   */
  answerClose?: boolean;
}

/** A frame the test server can send: text and binary data, a ping, a pong. */
export type ServerFrame = Extract<Frame, { type: 'text' | 'binary' | 'ping' | 'pong' }>;

/** One connection, from the server's side. */
export class TestConnection {
  readonly #link: Link;

  /** @internal */
  constructor(link: Link) {
    this.#link = link;
  }

  /** The upgrade request: URL, headers (names in lower case), offered subprotocols. */
  get request(): TestRequest {
    return this.#link.request;
  }
  /** Every frame the client sent, in order: text, binary, ping, pong and its close frame. */
  get received(): readonly Frame[] {
    return this.#link.log.frames;
  }
  /** The payloads of the pongs the client sent, in order. */
  get pongs(): readonly Uint8Array[] {
    return this.#link.log.pongs;
  }
  /** Resolves when the connection ends, with the client's close frame (1005 if it had no code), or 1006 without one. */
  get closed(): Promise<CloseInfo> {
    return this.#link.closed;
  }
  /** True once the connection has ended (or its handshake was refused or abandoned). */
  get ended(): boolean {
    return this.#link.ended;
  }

  /** Accepts the handshake, with `protocol` (default: the first offered) and extra response headers. */
  accept(options: { protocol?: string; headers?: Record<string, string> } = {}): void {
    this.#link.answer({ type: 'accept', ...options });
  }
  /** Refuses the handshake with an HTTP status: the client sees `upgrade_failed` (Node) or a failed connect (browsers). */
  refuse(status: number, options: { headers?: Record<string, string>; body?: string } = {}): void {
    this.#link.answer({ type: 'refuse', status, ...options });
  }
  /** Fails the connection before the upgrade, as a network error `code` would (`ECONNREFUSED`, `ENOTFOUND`, ...). */
  fail(code = 'ECONNREFUSED'): void {
    this.#link.answer({ type: 'fail', code });
  }

  /** Sends a frame to the client. Throws before the handshake is accepted; does nothing once closing, as `ws`. */
  send(frame: ServerFrame): void {
    if (!this.#link.answered) throw new Error('send: the handshake has not been accepted');
    if (!this.#link.open) return;
    this.#link.serverSend(frame.type, bytesOf(frame.data));
  }
  /** Sends a ping; resolves with the payload of the client's next pong (clients answer pings by themselves). */
  ping(data: string | Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
    const seen = this.pongs.length;
    this.send({ type: 'ping', data: bytesOf(data) });
    return this.#link.log.pongAfter(seen);
  }
  /** Starts the closing handshake; resolves as `closed` does. Checks the code and reason as `ws`. */
  close(code?: number, reason?: string): Promise<CloseInfo> {
    if (!this.#link.answered) throw new Error('close: the handshake has not been accepted (drop() resets it)');
    this.#link.serverClose(code, reason);
    return this.closed;
  }
  /** Ends the connection with no close frame: the client sees 1006 (before the handshake is answered, a reset: `ECONNRESET`). */
  drop(): void {
    this.#link.drop();
  }

  /**
   * The next text or binary frame the client sent (with `control`, pings and
   * pongs too), in order; its close frame, or `{ type: 'close', code: 1006 }`
   * when the connection ended without one, once nothing else is left.
   */
  nextFrame(options: { control?: boolean } = {}): Promise<Frame> {
    return this.#link.log.nextFrame(options.control);
  }
}

/** Items in arrival order, each taken once: `next()` waits for one. (test/helpers/wsTestServer.ts uses it too.) */
export class Arrivals<T> {
  readonly all: T[] = [];
  #taken = 0;
  readonly #waiting: (() => void)[] = [];

  push(item: T): void {
    this.all.push(item);
    for (const wake of this.#waiting.splice(0)) wake();
  }
  next(): Promise<T> {
    return new Promise((resolve) => {
      const attempt = (): void => {
        if (this.#taken < this.all.length) resolve(this.all[this.#taken++] as T);
        else this.#waiting.push(attempt);
      };
      attempt();
    });
  }
}

/** How `handshake` answers the `index`th request; undefined leaves it to the test. */
export function answerOf(
  handshake: TestServerOptions['handshake'] = 'accept',
  request: TestRequest,
  index: number,
): HandshakeAnswer | undefined {
  if (handshake === 'accept') return { type: 'accept' };
  return handshake === 'manual' ? undefined : handshake(request, index);
}

/** A fake WebSocket server for tests: see `createTestServer`. */
export interface TestServer {
  /** The fake socket class: pass it as the `WebSocket` option of `createMinchActor` or `connect`. */
  readonly WebSocket: typeof FakeWebSocket;
  /** Every connection so far, in order. */
  readonly connections: readonly TestConnection[];
  /** The next connection not yet taken, in order; waits for one. */
  nextConnection(): Promise<TestConnection>;
  /**
   * Resolves once every frame and event in flight has been delivered and
   * every client's callbacks have run: the clients are idle until time moves
   * or the test acts.
   */
  flush(): Promise<void>;
  /** Drops every connection; later sockets fail with `ECONNREFUSED`. */
  close(): void;
}

/**
 * A fake WebSocket server, for tests with no network and no waiting. Works in
 * Node and in browsers. With XState's `SimulatedClock` as the client's
 * `clock`, backoff, timeouts and heartbeats take no wall time.
 *
 * @example
 * const server = createTestServer();
 * const clock = new SimulatedClock();
 * const actor = createMinchActor(client, null, { WebSocket: server.WebSocket, clock }).start();
 * const conn = await server.nextConnection();
 * conn.send({ type: 'text', data: 'hello' });
 * expect(await conn.nextFrame()).toEqual({ type: 'text', data: 'echo: hello' });
 */
export function createTestServer(options: TestServerOptions = {}): TestServer {
  const habits = { autoPong: options.autoPong ?? true, answerClose: options.answerClose ?? true };
  const arrivals = new Arrivals<TestConnection>();
  const links: Link[] = [];
  /** Every client that has owned a socket of this server: flush waits for their callbacks, sockets or not. */
  const clients = new Set<{ readonly settled: boolean }>();
  let closed = false;

  class WebSocket extends FakeWebSocket {
    static override [CONNECT] = (socket: FakeWebSocket, request: TestRequest): Link => {
      const link = new Link(socket, request, habits);
      if (closed) {
        link.answer({ type: 'fail', code: 'ECONNREFUSED' });
        return link;
      }
      links.push(link);
      link.onOwner = (owner) => clients.add(owner);
      const answer = answerOf(options.handshake, request, arrivals.all.length);
      arrivals.push(new TestConnection(link));
      if (answer !== undefined) link.answer(answer);
      return link;
    };
  }

  const settled = (): boolean =>
    links.every((l) => !l.toClient.busy && !l.toServer.busy) && [...clients].every((c) => c.settled);

  return {
    WebSocket,
    connections: arrivals.all,
    nextConnection: () => arrivals.next(),
    async flush() {
      for (let round = 0; round < 10_000; round++) {
        await macrotask();
        // Forget ended links once they have nothing left to deliver.
        for (let i = links.length - 1; i >= 0; i--) {
          const l = links[i] as Link;
          if (l.ended && (l.client as FakeWebSocket).readyState === 3 && !l.toClient.busy) links.splice(i, 1);
        }
        if (settled()) return;
      }
      throw new Error(
        'flush: after 10,000 turns of the event loop a delivery or a client callback is still pending; ' +
          'is a callback waiting for something outside the kit (a timer of its clock, a promise the test settles)?',
      );
    },
    close() {
      closed = true;
      for (const link of links) {
        if (link.ended) continue;
        if (!link.answered) link.answer({ type: 'fail', code: 'ECONNREFUSED' });
        else link.drop();
      }
    },
  };
}

/** One turn of the event loop, through a message channel: fake timers do not hold it. */
function macrotask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
