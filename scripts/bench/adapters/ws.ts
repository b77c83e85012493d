/**
 * The baseline: the `ws` package used directly, with its defaults (as Minch,
 * reconnecting-websocket and partysocket all use it underneath). Text is
 * decoded to a string, as every other client does before handing it over.
 */
import WebSocket from 'ws';
import { DEFAULT_HEARTBEAT_MS, type Adapter, type Handle, type Payload, type Received } from './types.js';

/**
 * The heartbeat a user of raw ws writes (ws's README pattern): a ping every
 * 20 s, and a socket that has not answered the previous ping by then is
 * terminated, i.e. a 20 s timeout: Minch's default, so the idle case
 * compares like with like.
 */
function heartbeat(ws: WebSocket): void {
  let alive = true;
  ws.on('pong', () => (alive = true));
  const timer = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, DEFAULT_HEARTBEAT_MS);
  ws.once('close', () => clearInterval(timer));
}

function openWith(url: string, withHeartbeat: boolean): Promise<Handle> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let listener: (data: Received) => void = () => {};
    ws.on('message', (data, isBinary) => listener(isBinary ? (data as Buffer) : data.toString()));
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => {});
      if (withHeartbeat) heartbeat(ws);
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

export const wsAdapter: Adapter = {
  id: 'ws',
  label: 'ws (raw)',
  open: (url) => openWith(url, false),
  openWithHeartbeat: (url) => openWith(url, true),
  reopen,
};
