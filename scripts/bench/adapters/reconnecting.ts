/**
 * reconnecting-websocket and partysocket share one API (partysocket's
 * `WebSocket` is a fork of reconnecting-websocket), so both adapters are built
 * here. Both get `ws` as their constructor and zero reconnect delays, and
 * `binaryType = 'arraybuffer'`: their default is 'blob', which a Node user
 * would have to read asynchronously.
 */
import type { Adapter, Handle, Payload, Received } from './types.js';

/** The part of their API the harness uses. */
export interface ReconnectingLike {
  binaryType: string;
  send(data: Payload): unknown;
  close(code?: number): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: any) => void): void;
}

/** Options both take: `ws` as the constructor, no reconnect delay, the default 4 s connect timeout. */
export const zeroDelay = { minReconnectionDelay: 0, maxReconnectionDelay: 0, reconnectionDelayGrowFactor: 1 };

export function reconnectingAdapter(id: string, label: string, make: (url: string) => ReconnectingLike): Adapter {
  const create = (url: string): ReconnectingLike => {
    const socket = make(url);
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('error', () => {});
    return socket;
  };

  const open = (url: string): Promise<Handle> =>
    new Promise((resolve) => {
      const socket = create(url);
      let listener: (data: Received) => void = () => {};
      socket.addEventListener('message', (event: { data: Received }) => listener(event.data));
      let closed = false;
      socket.addEventListener('close', () => (closed = true));
      socket.addEventListener('open', () =>
        resolve({
          send: (data) => socket.send(data),
          onMessage: (l) => (listener = l),
          // Both dispatch their close event synchronously from close(); the TCP
          // socket underneath finishes later (the cases wait for that separately).
          close: async () => {
            if (!closed) socket.close(1000);
          },
        }),
      );
    });

  const reopen = (url: string, opens: number): Promise<number[]> =>
    new Promise((resolve) => {
      const at: number[] = [];
      const socket = create(url);
      socket.addEventListener('open', () => {
        at.push(performance.now());
        if (at.length >= opens) {
          socket.close(1000);
          resolve(at);
        }
      });
    });

  return { id, label, open, reopen };
}
