/**
 * Every event the Minch machine accepts, named by who sends it:
 *
 * - `socket.*`: the socket of the current attempt (the adapter);
 * - `callback.*`: what a user callback's result asks for (the callback table);
 * - `user.*`: the user's API calls (`close`, `sendFrame` of a close frame,
 *   `sendInfo`, `self.sendInfo`, `self.sendAfter`, an `AbortSignal`);
 * - `supervisor.*`: the parent supervisor;
 * - `env.*`: the browser's connectivity and page visibility.
 *
 * Close events carry the close frame as `code` and `reason`, and nothing else.
 * Events that belong to one attempt carry its `generation`, so that a late
 * answer for an attempt that already ended is ignored.
 */
import { DEFAULTS } from '../src/core/options.js';
import type { DisconnectReason, UpgradeResponse } from '../src/types.js';

export type SocketEvent =
  /** The upgrade succeeded. */
  | { type: 'socket.open'; generation: number; response: UpgradeResponse }
  /** The attempt's socket ended, or never opened. */
  | { type: 'socket.closed'; generation: number; reason: DisconnectReason }
  /** A frame arrived while a heartbeat probe was outstanding. */
  | { type: 'socket.alive'; generation: number };

export type CallbackEvent =
  /** `init` returned `ok` (or there is no `init`). */
  | { type: 'callback.initialised'; state: unknown }
  /** `connect(state)` answered with a usable target; the URL is redacted. */
  | { type: 'callback.target'; generation: number; url: string }
  /** `connect(state)` threw or answered with something unusable. */
  | { type: 'callback.targetFailed'; generation: number; reason: DisconnectReason }
  /** A `close` result (or a reply ending with a close frame). */
  | { type: 'callback.close'; code: number; reason: string }
  /** A `stop` result, from any callback; from `init`, the client stops without `terminate`. */
  | { type: 'callback.stop'; reason: unknown }
  /** `handleDisconnect` chose to reconnect after `backoffMs`. */
  | { type: 'callback.reconnect'; backoffMs: number }
  /** `terminate` returned (or threw). */
  | { type: 'callback.terminated' }
  /** The user state after a batch of callbacks, for the snapshot. */
  | { type: 'callback.state'; state: unknown };

export type UserEvent =
  /** `close(target)`: stop with reason `'normal'`, sending this close frame. */
  | { type: 'user.stop'; code: number; reason: string }
  /** The `signal` option aborted: stop with reason `{ type: 'aborted', reason: abortReason }`. */
  | { type: 'user.abort'; abortReason: string }
  /** `sendFrame` of a close frame: the closing handshake, like a `close` result. */
  | { type: 'user.close'; code: number; reason: string }
  /** `sendInfo` or `self.sendInfo`: a message for `handleInfo`. */
  | { type: 'user.info'; message: unknown }
  /** `self.sendAfter`: `message` for `handleInfo` after `delayMs`; `id` cancels it. */
  | { type: 'user.sendAfter'; id: string; message: unknown; delayMs: number }
  /** The cancel function `self.sendAfter` returned. */
  | { type: 'user.cancelTimer'; id: string };

/** The supervisor shuts its children down: stop with reason `'shutdown'`, sending this close frame. */
export type SupervisorEvent = { type: 'supervisor.stop'; code: number; reason: string };

export type EnvironmentEvent = { type: 'env.offline' } | { type: 'env.online' } | { type: 'env.visible' };

/**
 * Every event the Minch machine accepts, named by who sends it: the socket
 * (`socket.*`), a callback's result (`callback.*`), the user's API calls
 * (`user.*`), the parent supervisor (`supervisor.*`) and the browser (`env.*`).
 */
export type MinchEvent = SocketEvent | CallbackEvent | UserEvent | SupervisorEvent | EnvironmentEvent;

/** The events that stop the client; each says why in its own way. */
export type StopEvent = Extract<MinchEvent, { type: 'user.stop' | 'user.abort' | 'callback.stop' | 'supervisor.stop' }>;

type StopType = StopEvent['type'];
const STOPS: readonly StopType[] = ['user.stop', 'user.abort', 'supervisor.stop', 'callback.stop'];
/** The same transition for every stop event (the user's, the supervisor's, a callback's). */
export function onStop<T, K extends StopType = StopType>(
  transition: T,
  events: readonly K[] = STOPS as K[],
): Record<K, T> {
  return Object.fromEntries(events.map((type) => [type, transition])) as Record<K, T>;
}

/** The reason a stop event gives `terminate` and the actor's output. */
export function stopReasonOf(event: StopEvent): unknown {
  switch (event.type) {
    case 'user.stop':
      return 'normal';
    case 'user.abort':
      return { type: 'aborted', reason: event.abortReason };
    case 'supervisor.stop':
      return 'shutdown';
    case 'callback.stop':
      return event.reason;
  }
}

/** The close frame an event asks for: its own `code` and `reason`, or 1000 for a stop that has none. */
export function closeFrameOf(event: MinchEvent): { code: number; reason: string } {
  if ('code' in event) return { code: event.code, reason: event.reason };
  return { code: DEFAULTS.closeCode, reason: '' };
}
