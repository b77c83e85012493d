/**
 * The Minch client of the browser examples (React and Svelte): it connects to
 * the echo server of the example's Vite dev or preview server, keeps the last
 * frames it received in its state, and reconnects after
 * `backoff(attempt, { min: 500 })`, so the backoff is long enough to watch.
 */
import { backoff, type DisconnectReason, type MinchClient } from '../../src/index.js';

/** One received text frame. */
export interface ReceivedFrame {
  id: number;
  data: string;
}

/** The client's state: where to connect, and what came back. */
export interface EchoState {
  url: string;
  frames: ReceivedFrame[];
  received: number;
}

/** How many received frames the state keeps. */
export const MAX_FRAMES = 20;

/**
 * The initial state, passed as `initArg`. (Without an `init` callback the
 * state starts as `initArg`: `snapshot.context.state` has the same shape from
 * the first render on, even in `idle`.)
 */
export function initialEchoState(url: string): EchoState {
  return { url, frames: [], received: 0 };
}

export const echoClient: MinchClient<EchoState, EchoState, never> = {
  connect: (state) => state.url,
  handleFrame: (frame, state) => {
    const received = state.received + 1;
    const data = frame.type === 'text' ? frame.data : `(${frame.type} frame)`;
    return {
      type: 'ok',
      state: { ...state, received, frames: [...state.frames, { id: received, data }].slice(-MAX_FRAMES) },
    };
  },
  handleDisconnect: (_reason, attempt, state) => ({
    type: 'reconnect',
    backoff: backoff(attempt, { min: 500 }),
    state,
  }),
};

/** `ws://<this page's host>/echo`, or `wss://` on an https page. */
export function echoUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/echo`;
}

/** A disconnect reason in a few words, for the status panel. */
export function describeDisconnect(reason: DisconnectReason | null): string {
  if (reason === null) return '—';
  switch (reason.type) {
    case 'closed':
      return `closed ${reason.code}${reason.reason === '' ? '' : ` "${reason.reason}"`}`;
    case 'connect_error':
      return `connect error (${reason.reason}): ${reason.message}`;
    case 'upgrade_failed':
      return `upgrade failed: HTTP ${reason.status}`;
    case 'heartbeat_timeout':
      return 'heartbeat timeout';
  }
}

/** The time left until `nextAttemptAt`, as "1.4 s", or null when there is none. */
export function countdown(nextAttemptAt: number | null, now: number): string | null {
  if (nextAttemptAt === null) return null;
  return `${(Math.max(0, nextAttemptAt - now) / 1000).toFixed(1)} s`;
}
