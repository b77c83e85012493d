/**
 * The Minch machine's context and input, and `stateName`, which reads the
 * plain state name from a snapshot whose value nests.
 */
import type { ResolvedTimings } from '../src/core/options.js';
import type { DisconnectReason } from '../src/types.js';

/**
 * The machine's context: what a UI needs, JSON-serialisable, free of secrets.
 * `State` is the client's own state type; an actor from `createMinchActor`
 * has it in `snapshot.context.state`.
 */
export interface MinchContext<State = unknown> {
  /** The user state, as the callbacks last returned it. */
  state: State;
  /** The number last passed to `handleDisconnect` (0 before the first disconnect). */
  attempt: number;
  /** Why the last connection ended, or null. */
  lastDisconnect: DisconnectReason | null;
  /** In `backoff`: the delay chosen by `handleDisconnect`, null until it answers. */
  backoffMs: number | null;
  /** In `backoff`: when the next attempt is due (epoch ms), null until known. */
  nextAttemptAt: number | null;
  /** The URL of the current attempt, without user-info or query. */
  url: string | null;
  /** Counts connection attempts; events of older attempts are ignored. */
  generation: number;
  /** When the current connection opened (epoch ms), or null. */
  openedAt: number | null;
  /** Set once the client is stopping: the reason passed to `terminate` (never undefined then). */
  stopReason: unknown;
  /** The browser said it is offline: no attempt until it is online again. */
  offline: boolean;
  /** The client's `connectTimeoutMs`, `closeTimeoutMs`, `heartbeat` and `minUptimeMs`, defaults applied. */
  timings: ResolvedTimings;
}

export interface MinchInput {
  initArg: unknown;
  timings: ResolvedTimings;
}

/** The plain name of a client's state. */
export type StateName = 'idle' | 'connecting' | 'open' | 'closing' | 'backoff' | 'stopped';

/**
 * The plain name of the state a snapshot is in, for UIs and logs:
 * `{ connection: { open: 'waiting' } }` is `'open'`, `'stopping'` (terminate
 * running) is `'closing'`. `snapshot.matches({ connection: 'open' })` works too.
 *
 * @example
 * actor.subscribe((snapshot) => console.log(stateName(snapshot)));
 */
export function stateName(snapshot: { value: unknown }): StateName {
  const value = snapshot.value as string | { connection?: string | object; backoff?: string };
  if (typeof value === 'string') return value === 'stopping' ? 'closing' : (value as StateName);
  if (value.backoff !== undefined) return 'backoff';
  const phase = value.connection;
  return typeof phase === 'string' ? (phase as StateName) : 'open';
}
