/**
 * A Vite plugin that gives the browser examples a WebSocket echo server on the
 * same origin, in `vite` (dev) and in `vite preview` alike:
 *
 * - `ws(s)://<host>/echo` echoes every message back (text as text, binary as binary);
 * - `GET /__drop` terminates every echo socket at once, without a close frame
 *   (the client sees `closed` 1006: a server drop) and answers `{ "dropped": n }`;
 * - `GET /__connections` answers `{ "upgrades": n, "open": m }`: how many
 *   WebSocket connections the echo server has accepted since it started, and
 *   how many are open now.
 *
 * Only upgrades to `/echo` are taken; every other upgrade (Vite's HMR socket)
 * is left to its own listener.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Connect, Plugin } from 'vite';
import { WebSocketServer, type WebSocket } from 'ws';

export interface EchoPluginOptions {
  /** The WebSocket path. @default '/echo' */
  path?: string;
}

interface UpgradeSource {
  on(event: 'upgrade', listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
}

/** Attaches one echo server to one HTTP server and its middleware stack. */
function attach(httpServer: UpgradeSource | null, middlewares: Connect.Server, path: string): void {
  if (httpServer === null) return; // middleware mode: there is no HTTP server of our own to upgrade on
  const wss = new WebSocketServer({ noServer: true });
  let upgrades = 0;

  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => {});
  });

  httpServer.on('upgrade', (req, socket, head) => {
    if (pathname(req.url) !== path) return;
    upgrades++;
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  httpServer.once('close', () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  });

  const json = (res: ServerResponse, body: unknown): void => {
    res.statusCode = 200;
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'no-store');
    res.end(JSON.stringify(body));
  };
  middlewares.use((req: IncomingMessage, res: ServerResponse, next: Connect.NextFunction) => {
    const p = pathname(req.url);
    if (p === '/__drop') {
      let dropped = 0;
      for (const ws of wss.clients) {
        ws.terminate();
        dropped++;
      }
      json(res, { dropped });
    } else if (p === '/__connections') {
      json(res, { upgrades, open: wss.clients.size });
    } else next();
  });
}

function pathname(url: string | undefined): string {
  return new URL(url ?? '/', 'http://localhost').pathname;
}

/** The echo server for the browser examples: see the module comment. */
export function echoServerPlugin(options: EchoPluginOptions = {}): Plugin {
  const path = options.path ?? '/echo';
  return {
    name: 'minch-echo-server',
    configureServer(server) {
      attach(server.httpServer, server.middlewares, path);
    },
    configurePreviewServer(server) {
      attach(server.httpServer, server.middlewares, path);
    },
  };
}
