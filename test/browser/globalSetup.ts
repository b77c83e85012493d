/**
 * Runs in Node before the browser project: a `ws` server on loopback for the
 * tests in Chromium, whose base URL reaches them through `inject('wsBase')`.
 *
 * - `/echo`  echoes every message (binary stays binary);
 * - `/drop`  echoes too, but the text message 'drop' terminates that socket (no close frame);
 * - `/close` closes with 4001 'go away' right after the connection opens;
 * - `/refuse` answers the upgrade with 401.
 *
 * test/browser/kitServer.ts plays the same paths with minch/testing.
 */
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `ws://127.0.0.1:<port>`, without a trailing slash. */
    wsBase: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: (info, cb) => cb(!(info.req.url ?? '').startsWith('/refuse'), 401),
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });

  const echo = (ws: WebSocket, data: RawData, isBinary: boolean): void => ws.send(data, { binary: isBinary });
  wss.on('connection', (ws, req) => {
    const path = new URL(req.url ?? '/', 'ws://127.0.0.1').pathname;
    ws.on('error', () => {});
    switch (path) {
      case '/echo':
        ws.on('message', (data, isBinary) => echo(ws, data, isBinary));
        break;
      case '/drop':
        ws.on('message', (data, isBinary) => {
          if (!isBinary && data.toString() === 'drop') ws.terminate();
          else echo(ws, data, isBinary);
        });
        break;
      case '/close':
        ws.close(4001, 'go away');
        break;
      default:
        ws.close(4004, 'unknown path');
    }
  });

  const { port } = wss.address() as AddressInfo;
  project.provide('wsBase', `ws://127.0.0.1:${port}`);

  return async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  };
}
