/**
 * An embedded echo server on loopback, so every example runs with no network.
 * `dropAll()` kills the open connections abruptly, to show a reconnect.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface EchoServer {
  url: string;
  dropAll(): void;
  close(): Promise<void>;
}

export async function startEchoServer(): Promise<EchoServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    dropAll: () => wss.clients.forEach((ws) => ws.terminate()),
    close: () =>
      new Promise<void>((resolve) => {
        wss.clients.forEach((ws) => ws.terminate());
        wss.close(() => resolve());
      }),
  };
}

/** The URL given on the command line, or an embedded echo server's. */
export async function urlOrEmbedded(arg: string | undefined): Promise<{ url: string; server: EchoServer | null }> {
  if (arg !== undefined && arg !== '') return { url: arg, server: null };
  const server = await startEchoServer();
  return { url: server.url, server };
}
