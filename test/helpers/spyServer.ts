/**
 * A real `ws` server on a free loopback port that records what it sees:
 * upgrade requests, messages, pings, pongs and closes. Tests drive it through
 * the server-side sockets it exposes.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { Recorder } from './recorder.js';

export type ServerEvent =
  | { type: 'upgrade'; headers: IncomingMessage['headers']; url: string }
  | { type: 'connection'; id: number; protocol: string }
  | { type: 'message'; id: number; data: string | Uint8Array; isBinary: boolean }
  | { type: 'ping'; id: number; data: string }
  | { type: 'pong'; id: number; data: string }
  | { type: 'close'; id: number; code: number; reason: string };

export interface SpyServerOptions {
  /** Serve `wss` with this key and certificate instead of plain `ws`. */
  tls?: { key: string; cert: string };
  /** Answer the upgrade with this HTTP status instead of 101. */
  rejectWith?: (req: IncomingMessage) => number | undefined;
  /** Echo every message back. @default true */
  echo?: boolean;
  /** Accept TCP, never answer the upgrade. */
  silent?: boolean;
  /** Subprotocol to choose from the client's list. */
  chooseProtocol?: (protocols: Set<string>) => string | false;
  /** Called with each new server-side socket, after it is recorded. */
  onConnection?: (ws: WebSocket) => void;
  /** ws server: answer pings automatically. @default true */
  autoPong?: boolean;
}

export interface SpyServer {
  url: string;
  port: number;
  recorder: Recorder<ServerEvent>;
  sockets: WebSocket[];
  /** Resolves with the server side of the `n`th connection (1-based). */
  socket(n?: number): Promise<WebSocket>;
  connections(): number;
  close(): Promise<void>;
}

export async function startSpyServer(options: SpyServerOptions = {}): Promise<SpyServer> {
  const refuse = (_req: unknown, res: { writeHead(status: number): { end(): void } }): void =>
    void res.writeHead(426).end();
  const http = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, refuse)
    : createServer(refuse);
  // A client refusing our test chain is the point of some TLS tests.
  http.on('tlsClientError', () => {});
  const rawSockets = new Set<Socket>();
  http.on('connection', (s) => {
    rawSockets.add(s);
    s.on('close', () => rawSockets.delete(s));
  });
  const wss = new WebSocketServer({
    noServer: true,
    autoPong: options.autoPong ?? true,
    ...(options.chooseProtocol && { handleProtocols: options.chooseProtocol }),
  });
  const recorder = new Recorder<ServerEvent>();
  const sockets: WebSocket[] = [];
  http.on('upgrade', (req, socket, head) => {
    recorder.push({ type: 'upgrade', headers: req.headers, url: req.url ?? '' });
    if (options.silent) return;
    const status = options.rejectWith?.(req);
    if (status !== undefined) {
      socket.end(`HTTP/1.1 ${status} Rejected\r\nContent-Length: 0\r\nX-Reason: test\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const id = sockets.push(ws);
      recorder.push({ type: 'connection', id, protocol: ws.protocol });
      ws.on('message', (data, isBinary) => {
        const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
        recorder.push({ type: 'message', id, data: isBinary ? new Uint8Array(buf) : buf.toString(), isBinary });
        if (options.echo ?? true) ws.send(buf, { binary: isBinary });
      });
      ws.on('ping', (d) => recorder.push({ type: 'ping', id, data: d.toString() }));
      ws.on('pong', (d) => recorder.push({ type: 'pong', id, data: d.toString() }));
      ws.on('close', (code, reason) => recorder.push({ type: 'close', id, code, reason: reason.toString() }));
      ws.on('error', () => {});
      options.onConnection?.(ws);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${port}/`,
    port,
    recorder,
    sockets,
    async socket(n = 1) {
      await recorder.waitFor((e) => e.type === 'connection' && e.id === n, { label: `connection ${n}` });
      return sockets[n - 1] as WebSocket;
    },
    connections: () => sockets.length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        for (const s of rawSockets) s.destroy();
        wss.close();
        http.close(() => resolve());
      }),
  };
}
