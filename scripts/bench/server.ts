/**
 * The `ws` echo server, run as a child process of `run.ts` so that its CPU
 * time and heap never count against the client being measured.
 *
 * - `ws` WebSocketServer on 127.0.0.1, port 0, no permessage-deflate (the
 *   clients offer it by default; the server declines, so frames stay raw).
 * - Every message is echoed with the same binary flag; pings are answered by
 *   ws itself (the idle-connections case relies on that).
 * - `/kill-after-open`: the socket is terminated (TCP destroyed, no close
 *   frame) as soon as it opens; the reopen case reconnects against it.
 * - Talks to the orchestrator through `serverIo.ts`.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { announce } from './serverIo.js';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });

wss.on('connection', (ws, req) => {
  ws.on('error', () => {}); // a client vanishing mid-frame must not kill the server
  if (req.url?.startsWith('/kill-after-open')) {
    ws.terminate();
    return;
  }
  ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
});

wss.once('listening', () => announce((wss.address() as AddressInfo).port));
