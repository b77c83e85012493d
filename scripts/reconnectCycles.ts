/**
 * Reconnect cycles for the soak: a loopback server that drops every
 * connection as soon as it opens, and a client that reconnects with backoff 0.
 * Used by `npm run soak` (10,000 cycles, heap figures) and by the test suite
 * (1,000 cycles).
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { close, createMinchActor } from '../src/index.js';

export interface CycleReport {
  cycles: number;
  /** Heap used (bytes, after GC when available) when each checkpoint was reached. */
  heapAt: Map<number, number>;
  /** Active handles (sockets, timers) at each checkpoint. */
  handlesAt: Map<number, number>;
  /** Active handles after the client stopped and the server closed. */
  handlesAfter: number;
  handlesBefore: number;
  ms: number;
}

const activeHandles = (): number =>
  (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;

export async function reconnectCycles(cycles: number, checkpoints: number[] = []): Promise<CycleReport> {
  const handlesBefore = activeHandles();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.terminate();
  });
  await new Promise<void>((r) => wss.once('listening', r));
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
  const heapAt = new Map<number, number>();
  const handlesAt = new Map<number, number>();
  const gc = (globalThis as { gc?: () => void }).gc;
  const started = performance.now();
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  let count = 0;
  const actor = createMinchActor(
    {
      connect: () => url,
      handleFrame: (_f, s: null) => ({ type: 'ok', state: s }),
      handleDisconnect: (_reason, _attempt, state) => {
        count++;
        if (checkpoints.includes(count)) {
          gc?.();
          heapAt.set(count, process.memoryUsage().heapUsed);
          handlesAt.set(count, activeHandles());
        }
        if (count >= cycles) {
          done();
          return { type: 'stop', reason: 'normal', state };
        }
        return { type: 'reconnect', backoff: 0, state };
      },
    },
    null,
    { heartbeat: false },
  );
  actor.start();
  await finished;
  await close(actor);
  await new Promise<void>((r) => wss.close(() => r()));
  // The listening socket goes away a few event-loop turns after close(); give it a bounded number of turns.
  for (let i = 0; i < 1000 && activeHandles() > handlesBefore; i++) await new Promise((r) => setImmediate(r));
  return {
    cycles: count,
    heapAt,
    handlesAt,
    handlesBefore,
    handlesAfter: activeHandles(),
    ms: performance.now() - started,
  };
}
