/**
 * Minch's simple client: `connect`, `sendFrame`, and frames read with
 * `for await` (which is `receiveFrame` underneath), as its README shows.
 * Heartbeat off, as for every other client. It never reconnects by design,
 * so its reopen case is the loop a user would write: await `closed`, connect again.
 */
import * as E from 'fp-ts/lib/Either.js';
import { close, connect, sendFrame } from './minchLib.js';
import { toFrame } from './minchActor.js';
import type { Adapter, Handle, Received } from './types.js';

async function open(url: string): Promise<Handle> {
  const result = await connect(url, { heartbeat: false });
  if (E.isLeft(result)) throw new Error(`minch connect: ${result.left.type}`);
  const conn = result.right;
  let listener: (data: Received) => void = () => {};
  // The reader loop a user writes; it ends when the connection does.
  void (async () => {
    for await (const frame of conn) if (frame.type === 'text' || frame.type === 'binary') listener(frame.data);
  })();
  return {
    send: (data) => {
      const sent = sendFrame(conn, toFrame(data));
      if (E.isLeft(sent)) throw new Error(`sendFrame: ${sent.left.type}`);
    },
    onMessage: (l) => (listener = l),
    close: () => close(conn),
  };
}

async function reopen(url: string, opens: number): Promise<number[]> {
  const at: number[] = [];
  while (at.length < opens) {
    const result = await connect(url, { heartbeat: false });
    if (E.isLeft(result)) continue; // the kill beat the upgrade: just try again, as a user loop would
    at.push(performance.now());
    await result.right.closed;
  }
  return at;
}

export const minchSimpleAdapter: Adapter = { id: 'minch-simple', label: 'Minch simple', open, reopen };
