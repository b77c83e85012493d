/**
 * A real `ws` server on a free loopback port, driven through the same
 * interface as `minch/testing`'s `createTestServer`: handshakes held until
 * answered, connections with `send`, `nextFrame`, `close`, `drop`, `ping`
 * and `closed`. The behaviour suite runs against both with one set of
 * assertions, so any difference between them is a bug in the kit.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Frame } from '../../src/index.js';
import type { CloseInfo, HandshakeAnswer, ServerFrame, TestRequest, TestServerOptions } from '../../src/testing.js';
import { FrameLog } from '../../src/testing/frameLog.js';
import { answerOf, Arrivals } from '../../src/testing/server.js';

/** What the behaviour suite needs of a server: the kit's `TestServer` and `TestConnection` have it. */
export interface PeerServer {
  nextConnection(): Promise<PeerConnection>;
  close(): void | Promise<void>;
}
export interface PeerConnection {
  readonly request: TestRequest;
  readonly pongs: readonly Uint8Array[];
  readonly closed: Promise<CloseInfo>;
  accept(options?: { protocol?: string; headers?: Record<string, string> }): void;
  refuse(status: number, options?: { headers?: Record<string, string>; body?: string }): void;
  send(frame: ServerFrame): void;
  ping(data?: string | Uint8Array): Promise<Uint8Array>;
  close(code?: number, reason?: string): Promise<CloseInfo>;
  drop(): void;
  nextFrame(options?: { control?: boolean }): Promise<Frame>;
}

class RealConnection implements PeerConnection {
  /** What the server received, kept as the kit keeps it. */
  private readonly log = new FrameLog();
  readonly pongs = this.log.pongs;
  readonly closed: Promise<CloseInfo>;
  private resolveClosed!: (info: CloseInfo) => void;
  private ws: WebSocket | null = null;
  private ended = false;

  constructor(
    readonly request: TestRequest,
    private readonly raw: { req: IncomingMessage; socket: Socket; head: Buffer },
    private readonly wss: WebSocketServer,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    // Before the upgrade, the TCP close ends the connection; after it, ws's 'close' does.
    raw.socket.on('close', () => this.ws === null && this.end({ code: 1006, reason: '' }));
    // A held handshake must still see the client go: read (the client sends nothing before the 101) and close on EOF.
    raw.socket.on('end', () => this.ws === null && raw.socket.destroy());
    raw.socket.resume();
  }

  answer(answer: HandshakeAnswer): void {
    if (answer.type === 'accept') return this.accept(answer);
    if (answer.type === 'refuse') return this.refuse(answer.status, answer);
    this.raw.socket.destroy();
  }

  accept(options: { protocol?: string; headers?: Record<string, string> } = {}): void {
    const { req, socket, head } = this.raw;
    if (options.headers) {
      const extra = Object.entries(options.headers).map(([k, v]) => `${k}: ${v}`);
      this.wss.once('headers', (headers) => headers.push(...extra));
    }
    (this.wss.options as { handleProtocols?: unknown }).handleProtocols = (offered: Set<string>) =>
      options.protocol ?? [...offered][0] ?? false;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.ws = ws;
      ws.on('message', (data, isBinary) => {
        const buf = data as Buffer;
        this.record(isBinary ? { type: 'binary', data: new Uint8Array(buf) } : { type: 'text', data: buf.toString() });
      });
      ws.on('ping', (d) => this.record({ type: 'ping', data: new Uint8Array(d) }));
      ws.on('pong', (d) => this.record({ type: 'pong', data: new Uint8Array(d) }));
      ws.on('close', (code, reason) => {
        if (code !== 1006) this.record({ type: 'close', code, reason: reason.toString() });
        this.end({ code, reason: reason.toString() });
      });
      ws.on('error', () => {});
    });
  }

  refuse(status: number, options: { headers?: Record<string, string>; body?: string } = {}): void {
    const body = options.body ?? '';
    const headers = { 'Content-Length': String(Buffer.byteLength(body)), ...options.headers, Connection: 'close' };
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
    this.raw.socket.end(`HTTP/1.1 ${status} Refused\r\n${lines.join('')}\r\n${body}`);
  }

  send(frame: ServerFrame): void {
    const ws = this.ws;
    if (ws === null) throw new Error('send: the handshake has not been accepted');
    if (frame.type === 'text') ws.send(frame.data);
    else if (frame.type === 'binary') ws.send(frame.data, { binary: true });
    else if (frame.type === 'ping') ws.ping(frame.data ?? new Uint8Array(0));
    else ws.pong(frame.data ?? new Uint8Array(0));
  }

  ping(data: string | Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
    const seen = this.pongs.length;
    this.send({ type: 'ping', data: typeof data === 'string' ? new TextEncoder().encode(data) : data });
    return this.log.pongAfter(seen);
  }

  close(code?: number, reason?: string): Promise<CloseInfo> {
    this.ws?.close(code, reason);
    return this.closed;
  }

  drop(): void {
    if (this.ws !== null) this.ws.terminate();
    else this.raw.socket.destroy();
  }

  nextFrame(options: { control?: boolean } = {}): Promise<Frame> {
    return this.log.nextFrame(options.control);
  }

  private record(frame: Frame): void {
    this.log.push(frame);
  }

  private end(info: CloseInfo): void {
    if (this.ended) return;
    this.ended = true;
    this.resolveClosed(info);
    this.log.end();
  }
}

/** A real `ws` server that answers handshakes as `createTestServer` would with the same options. */
export async function startWsTestServer(
  options: TestServerOptions = {},
): Promise<PeerServer & { url: string; close(): Promise<void> }> {
  const http = createServer((_req, res) => void res.writeHead(426).end());
  const wss = new WebSocketServer({ noServer: true, autoPong: options.autoPong ?? true });
  const arrivals = new Arrivals<RealConnection>();
  const rawSockets = new Set<Socket>();
  http.on('connection', (s) => {
    rawSockets.add(s);
    s.on('close', () => rawSockets.delete(s));
  });
  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const protocols = (headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const request: TestRequest = { url: `ws://${headers['host']}${req.url ?? '/'}`, headers, protocols };
    const conn = new RealConnection(request, { req, socket, head }, wss);
    const answer = answerOf(options.handshake, request, arrivals.all.length);
    arrivals.push(conn);
    if (answer !== undefined) conn.answer(answer);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/`,
    nextConnection: () => arrivals.next(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of rawSockets) s.destroy();
        wss.close();
        http.close(() => resolve());
      }),
  };
}
