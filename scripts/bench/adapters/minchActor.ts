/**
 * Minch as an application would use it: a client actor whose `handleFrame`
 * hands each frame on, and sends made with `sendFrame(actor, …)` by the
 * harness, i.e. through the public send path rather than `reply` results.
 * (The harness sends when an echo arrives, so the call happens while
 * `handleFrame` runs; that is the same code path as a send from anywhere
 * else, and every other client also sends from inside its message listener.)
 * Heartbeat off, since no other client pings either, except in the idle case,
 * which keeps Minch's default and gives raw ws a hand-written equivalent.
 */
import * as E from 'fp-ts/lib/Either.js';
import { close, createMinchActor, sendFrame, type Frame, type MinchClient } from './minchLib.js';
import type { Adapter, Handle, Payload, Received } from './types.js';

export function toFrame(data: Payload): Frame {
  return typeof data === 'string' ? { type: 'text', data } : { type: 'binary', data };
}

/**
 * Per-connection data lives in the client's state, and one client object
 * serves every connection: a Minch client is a behaviour (Elixir Minch's
 * callback module), written once and started many times, not a set of
 * closures per connection.
 */
interface EchoState {
  url: string;
  /** Resolves the open; cleared once called. */
  opened: ((handle: Handle) => void) | null;
  failed: (err: Error) => void;
  listener: (data: Received) => void;
  handle: Handle | null;
}

const echoClient: MinchClient<EchoState, EchoState, never> = {
  connect: (state) => state.url,
  handleConnect: (_response, state) => {
    state.opened?.(state.handle as Handle);
    state.opened = null;
    return { type: 'ok', state };
  },
  handleFrame: (frame, state) => {
    if (frame.type === 'text' || frame.type === 'binary') state.listener(frame.data);
    return { type: 'ok', state };
  },
  handleDisconnect: (reason, _attempt, state) => {
    if (state.opened !== null) state.failed(new Error(`minch actor: ${reason.type}`));
    return { type: 'stop', reason: 'normal', state };
  },
};
/** `options` is `{ heartbeat: false }`, or `{}` for the library's defaults. */
function openWith(url: string, options: { heartbeat?: false }): Promise<Handle> {
  return new Promise((resolve, reject) => {
    const state: EchoState = { url, opened: resolve, failed: reject, listener: () => {}, handle: null };
    const actor = createMinchActor(echoClient, state, options);
    state.handle = {
      send: (data) => {
        const sent = sendFrame(actor, toFrame(data));
        if (E.isLeft(sent)) throw new Error(`sendFrame: ${sent.left.type}`);
      },
      onMessage: (l) => (state.listener = l),
      close: () => close(actor),
    };
    actor.start();
  });
}

/** Reconnects with `backoff: 0` from `handleDisconnect`; an open is when `handleConnect` runs. */
function reopen(url: string, opens: number): Promise<number[]> {
  return new Promise((resolve) => {
    const at: number[] = [];
    const actor = createMinchActor<null, null, never>(
      {
        connect: () => url,
        handleConnect: (_response, state) => {
          at.push(performance.now());
          return { type: 'ok', state };
        },
        handleFrame: (_frame, state) => ({ type: 'ok', state }),
        handleDisconnect: (_reason, _attempt, state) =>
          at.length < opens ? { type: 'reconnect', backoff: 0, state } : { type: 'stop', reason: 'normal', state },
        terminate: () => resolve(at),
      },
      null,
      { heartbeat: false },
    );
    actor.start();
  });
}

export const minchActorAdapter: Adapter = {
  id: 'minch-actor',
  label: 'Minch actor',
  open: (url) => openWith(url, { heartbeat: false }),
  // No heartbeat option at all: the default, a protocol ping every 20 s with a 20 s timeout.
  openWithHeartbeat: (url) => openWith(url, {}),
  reopen,
};
