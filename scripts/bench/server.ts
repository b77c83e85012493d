/**
 * The benchmark's echo server, run as a child process of `run.ts` so that its
 * CPU time and heap never count against the client being measured.
 *
 * - `ws` WebSocketServer on 127.0.0.1, port 0, no permessage-deflate (the
 *   clients offer it by default; the server declines, so frames stay raw).
 * - Every message is echoed with the same binary flag.
 * - `/kill-after-open`: the socket is terminated (TCP destroyed, no close
 *   frame) as soon as it opens; the reopen case reconnects against it.
 * - Prints `{"port": N}` on stdout once listening; exits when stdin closes,
 *   so it can never outlive the orchestrator.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });

wss.on('connection', (ws, req) => {
  ws.on('error', () => {}); // a client vanishing mid-frame must not kill the server
  if (req.url?.startsWith('/kill-after-open')) {
    ws.terminate();
    return;
  }
  ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
});

wss.once('listening', () => {
  process.stdout.write(`${JSON.stringify({ port: (wss.address() as AddressInfo).port })}\n`);
});

process.stdin.resume();
process.stdin.on('close', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
