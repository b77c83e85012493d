/**
 * The embedded echo server of `minch` with no URL: loopback only, so the
 * whole lifecycle can be shown with no network. With `dropFirstAfterMs` it
 * drops the first connection once, abruptly, to show a backoff and reconnect.
 * The examples use it too (examples/echoServer.ts); it lives here because
 * only src/ is built into the package that the `minch` command runs from.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface EchoServer {
  url: string;
  /** Kills every open connection abruptly, to show a reconnect. */
  dropAll(): void;
  close(): Promise<void>;
}

export async function startEchoServer(options: { dropFirstAfterMs?: number } = {}): Promise<EchoServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  let connections = 0;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    if (++connections === 1 && options.dropFirstAfterMs !== undefined) {
      const timer = setTimeout(() => ws.terminate(), options.dropFirstAfterMs);
      timers.add(timer);
      ws.on('close', () => clearTimeout(timer));
    }
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    dropAll: () => wss.clients.forEach((ws) => ws.terminate()),
    close: () =>
      new Promise<void>((resolve) => {
        timers.forEach(clearTimeout);
        wss.clients.forEach((ws) => ws.terminate());
        wss.close(() => resolve());
      }),
  };
}
