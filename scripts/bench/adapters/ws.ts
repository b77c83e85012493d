/**
 * The baseline: the `ws` package used directly, with its defaults (as Minch,
 * reconnecting-websocket and partysocket all use it underneath). Text is
 * decoded to a string, as every other client does before handing it over.
 */
import WebSocket from 'ws';
import type { Adapter, Handle, Payload, Received } from './types.js';

function open(url: string): Promise<Handle> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let listener: (data: Received) => void = () => {};
    ws.on('message', (data, isBinary) => listener(isBinary ? (data as Buffer) : data.toString()));
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => {});
      resolve({
        send: (data: Payload) => ws.send(data),
        onMessage: (l) => (listener = l),
        close: () =>
          new Promise<void>((done) => {
            if (ws.readyState === WebSocket.CLOSED) return done();
            ws.once('close', () => done());
            ws.close(1000);
          }),
      });
    });
  });
}

/** Hand-written reconnect with backoff 0: a new socket from the close handler, the least any library can do. */
function reopen(url: string, opens: number): Promise<number[]> {
  return new Promise((resolve) => {
    const at: number[] = [];
    const attempt = (): void => {
      const ws = new WebSocket(url);
      ws.on('error', () => {});
      ws.on('open', () => at.push(performance.now()));
      ws.on('close', () => (at.length < opens ? attempt() : resolve(at)));
    };
    attempt();
  });
}

export const wsAdapter: Adapter = { id: 'ws', label: 'ws (raw)', open, reopen };
