/**
 * The embedded echo server of `minch` with no URL: loopback only, so the
 * whole lifecycle can be shown with no network. With `dropFirstAfterMs` it
 * drops the first connection once, abruptly, to show a backoff and reconnect.
 * (examples/echoServer.ts is not part of the build, hence this copy.)
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface EchoServer {
  url: string;
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
    close: () =>
      new Promise<void>((resolve) => {
        timers.forEach(clearTimeout);
        wss.clients.forEach((ws) => ws.terminate());
        wss.close(() => resolve());
      }),
  };
}
