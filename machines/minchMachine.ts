/**
 * The Minch statechart. A client is `idle` while `init` runs, then in a
 * `connection` (`connecting → open → closing`), in `backoff` between
 * attempts, `stopping` while `terminate` runs, and finally `stopped`.
 *
 * - The `connection` state owns the socket of one attempt: its entry asks
 *   `connect(state)` for a target, and its exit releases the socket, whatever
 *   ended the attempt. No transition stops a socket by hand.
 * - Every timer is a delay of the state it belongs to: the handshake timeout
 *   of `connecting`, the close timeout of `closing`, the heartbeat of `open`,
 *   the reconnect delay of `backoff`; leaving the state cancels it.
 *   `self.sendAfter` timers are delayed events of the machine, cancelled with it.
 * - "The attempt ended" is one named action (`endAttempt`) and one state
 *   (`backoff`, whose entry asks `handleDisconnect`); "stop" is handled once at
 *   the root, and only `idle`, `open` and `closing` say otherwise.
 * - Events of an attempt carry its `generation`; a late one is ignored.
 *
 * Callbacks never run inside a transition: the `run` action hands them to the
 * client's mailbox, and their results come back as `callback.*` events. The
 * implementations of the named actions are provided once, by the runtime.
 */
import { and, assign, cancel, enqueueActions, fromCallback, setup, stateIn } from 'xstate';
import { nextAttempt } from '../src/core/backoff.js';
import type { ResolvedTimings } from '../src/core/options.js';
import type { CallbackName, DisconnectReason } from '../src/types.js';
import { closeFrameOf, stopReasonOf, type EnvironmentEvent, type MinchEvent, type StopEvent } from './events.js';

/** The machine's context: what a UI needs, JSON-serialisable, free of secrets. */
export interface MinchContext {
  /** The user state, as the callbacks last returned it. */
  state: unknown;
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
  timings: ResolvedTimings;
}

export interface MinchInput {
  initArg: unknown;
  timings: ResolvedTimings;
}

/** A request to the callback table: run `callback` with `args`, in the mailbox. */
export interface RunParams {
  callback: CallbackName;
  args: readonly unknown[];
}

const reason = <R extends DisconnectReason>(r: R): R => Object.freeze(r);
const HANDSHAKE_TIMEOUT = reason({
  type: 'connect_error',
  reason: 'timeout',
  message: 'the opening handshake timed out',
});
const NO_CLOSE_ANSWER = reason({
  type: 'closed',
  code: 1006,
  reason: 'the server did not answer the close frame in time',
});
const HEARTBEAT_TIMEOUT = reason({ type: 'heartbeat_timeout' });
const OFFLINE_CONNECTING = reason({ type: 'connect_error', reason: 'offline', message: 'the browser went offline' });
const OFFLINE_OPEN = reason({ type: 'closed', code: 1006, reason: 'the browser went offline' });

/** Placeholder implementations; the runtime provides the real ones. */
const unprovided = (): void => {
  throw new Error('minchMachine must be run through createMinchActor, which provides its runtime');
};

type StopType = StopEvent['type'];
const STOPS: readonly StopType[] = ['user.stop', 'user.abort', 'supervisor.stop', 'callback.stop'];
/** The same transition for every stop event (the user's, the supervisor's, a callback's). */
function onStop<T, K extends StopType = StopType>(transition: T, events: readonly K[] = STOPS as K[]): Record<K, T> {
  return Object.fromEntries(events.map((type) => [type, transition])) as Record<K, T>;
}

export const minchMachine = setup({
  types: {
    context: {} as MinchContext,
    events: {} as MinchEvent,
    input: {} as MinchInput,
    output: {} as { reason: unknown },
  },
  actors: {
    /** Browser connectivity and visibility as events; nothing in Node. */
    environment: fromCallback<EnvironmentEvent>(() => () => {}),
  },
  actions: {
    /** Runs a user callback in the client's mailbox. */
    run: (_, _params: RunParams) => unprovided(),
    /** Opens the socket of attempt `generation` to the target `connect(state)` gave. */
    openSocket: (_, _params: { generation: number }) => unprovided(),
    /** Sends a close frame on the open socket. */
    closeSocket: (_, _params: { code: number; reason: string }) => unprovided(),
    /** Removes the socket's listeners and closes or terminates it. */
    releaseSocket: () => unprovided(),
    /** Sends a heartbeat probe: a ping, or the configured frame. */
    probe: () => unprovided(),
    /** The client is stopping; the first reason given is the one `terminate` gets. */
    markStopping: assign(({ context, event }) => ({
      stopReason: context.stopReason ?? stopReasonOf(event as StopEvent),
    })),
    /** An attempt ended: count it (the attempt rule) and remember why. */
    endAttempt: assign(({ context }, lastDisconnect: DisconnectReason) => {
      const opened = context.openedAt !== null;
      const uptimeMs = opened ? Date.now() - (context.openedAt as number) : 0;
      return {
        attempt: nextAttempt(context.attempt, opened, uptimeMs, context.timings.minUptimeMs),
        lastDisconnect,
        openedAt: null,
      };
    }),
    syncState: assign({ state: ({ event }) => (event as { state: unknown }).state }),
  },
  guards: {
    isCurrent: ({ context, event }) => 'generation' in event && event.generation === context.generation,
    isStopping: ({ context }) => context.stopReason !== undefined,
    isRunning: ({ context }) => context.stopReason === undefined,
    isOnline: ({ context }) => !context.offline,
    hasHeartbeat: ({ context }) => context.timings.heartbeat !== false,
    /**
     * A zero backoff after an open connection ended: reconnect without a timer
     * turn. Only then: a failure found without I/O (a bad target) must still go
     * through a timer, or a zero backoff would starve the event loop.
     */
    isImmediate: ({ context, event }) =>
      event.type === 'callback.reconnect' &&
      event.backoffMs === 0 &&
      !context.offline &&
      (context.lastDisconnect?.type === 'closed' || context.lastDisconnect?.type === 'heartbeat_timeout'),
  },
  delays: {
    connectTimeout: ({ context }) => context.timings.connectTimeoutMs,
    closeTimeout: ({ context }) => context.timings.closeTimeoutMs,
    reconnectDelay: ({ context }) => context.backoffMs ?? 0,
    heartbeatInterval: ({ context }) => (context.timings.heartbeat || { intervalMs: 0 }).intervalMs,
    heartbeatTimeout: ({ context }) => (context.timings.heartbeat || { timeoutMs: 0 }).timeoutMs,
    /** After an answered probe, the next is due `intervalMs` after that one was sent. */
    heartbeatRest: ({ context }) => {
      const hb = context.timings.heartbeat || { intervalMs: 0, timeoutMs: 0 };
      return Math.max(0, hb.intervalMs - hb.timeoutMs);
    },
  },
}).createMachine({
  id: 'minch',
  context: ({ input }) => ({
    state: input.initArg,
    attempt: 0,
    lastDisconnect: null,
    backoffMs: null,
    nextAttemptAt: null,
    url: null,
    generation: 0,
    openedAt: null,
    stopReason: undefined,
    offline: false,
    timings: input.timings,
  }),
  initial: 'idle',
  // Browser connectivity events; Node has none, so no actor is spent on them there.
  entry: enqueueActions(({ context, enqueue }) => {
    if (context.timings.watchEnvironment === true) enqueue.spawnChild('environment', { id: 'environment' });
  }),
  output: ({ context }) => ({ reason: context.stopReason }),
  on: {
    'callback.state': { actions: 'syncState' },
    'user.info': {
      actions: { type: 'run', params: ({ event }) => ({ callback: 'handleInfo', args: [event.message] }) },
    },
    'user.sendAfter': {
      actions: enqueueActions(({ event, enqueue }) =>
        enqueue.raise({ type: 'user.info', message: event.message }, { id: event.id, delay: event.delayMs }),
      ),
    },
    'user.cancelTimer': { actions: cancel(({ event }) => event.id) },
    'env.offline': { actions: assign({ offline: true }) },
    'env.online': { actions: assign({ offline: false }) },
    // Stopping from `connecting` or `backoff`: leaving the connection releases its socket.
    ...onStop({ guard: 'isRunning', target: '.stopping', actions: 'markStopping' } as const),
  },
  states: {
    idle: {
      entry: { type: 'run', params: ({ context }) => ({ callback: 'init', args: [context.state] }) },
      on: {
        'callback.initialised': [
          // Closed while init ran: init succeeded, so terminate runs, but no connection is made.
          { guard: 'isStopping', target: 'stopping', actions: 'syncState' },
          { target: 'connection', actions: 'syncState' },
        ],
        // Init itself stopped: as in OTP, no terminate.
        'callback.stop': { target: 'stopped', actions: 'markStopping' },
        // Closed while init runs: wait for it.
        ...onStop({ actions: 'markStopping' } as const, ['user.stop', 'user.abort', 'supervisor.stop']),
      },
    },
    connection: {
      entry: [
        assign({ generation: ({ context }) => context.generation + 1, url: null }),
        { type: 'run', params: ({ context }) => ({ callback: 'connect', args: [context.generation] }) },
      ],
      exit: 'releaseSocket',
      initial: 'connecting',
      on: {
        'socket.closed': [
          {
            guard: and(['isCurrent', 'isStopping']),
            target: 'stopping',
            actions: assign({ lastDisconnect: ({ event }) => event.reason, openedAt: null }),
          },
          {
            guard: 'isCurrent',
            target: 'backoff',
            actions: { type: 'endAttempt', params: ({ event }) => event.reason },
          },
        ],
        'env.offline': {
          guard: 'isRunning',
          target: 'backoff',
          actions: [
            assign({ offline: true }),
            {
              type: 'endAttempt',
              params: ({ context }) => (context.openedAt === null ? OFFLINE_CONNECTING : OFFLINE_OPEN),
            },
          ],
        },
      },
      states: {
        connecting: {
          after: {
            connectTimeout: { target: '#minch.backoff', actions: { type: 'endAttempt', params: HANDSHAKE_TIMEOUT } },
          },
          on: {
            'callback.target': {
              guard: 'isCurrent',
              actions: [
                assign({ url: ({ event }) => event.url }),
                { type: 'openSocket', params: ({ event }) => ({ generation: event.generation }) },
              ],
            },
            'callback.targetFailed': {
              guard: 'isCurrent',
              target: '#minch.backoff',
              actions: { type: 'endAttempt', params: ({ event }) => event.reason },
            },
            'socket.open': {
              guard: 'isCurrent',
              target: 'open',
              actions: [
                assign({ openedAt: () => Date.now() }),
                { type: 'run', params: ({ event }) => ({ callback: 'handleConnect', args: [event.response] }) },
              ],
            },
          },
        },
        open: {
          initial: 'unwatched',
          on: {
            'callback.close': 'closing',
            'user.close': 'closing',
            ...onStop({ target: 'closing', actions: 'markStopping' } as const),
          },
          // The heartbeat: a probe, an answer within `timeoutMs` (any frame), a rest, the next probe.
          states: {
            unwatched: { always: { guard: 'hasHeartbeat', target: 'waiting' } },
            waiting: {
              after: { heartbeatInterval: 'probing' },
              // A page visible again after being hidden: check the connection now.
              on: { 'env.visible': 'probing' },
            },
            probing: {
              entry: 'probe',
              initial: 'unanswered',
              states: {
                unanswered: { on: { 'socket.alive': { guard: 'isCurrent', target: 'answered' } } },
                answered: {},
              },
              after: {
                heartbeatTimeout: [
                  { guard: stateIn('#minch.connection.open.probing.answered'), target: 'resting' },
                  { target: '#minch.backoff', actions: { type: 'endAttempt', params: HEARTBEAT_TIMEOUT } },
                ],
              },
            },
            resting: {
              after: { heartbeatRest: 'probing' },
              on: { 'env.visible': 'probing' },
            },
          },
        },
        closing: {
          entry: { type: 'closeSocket', params: ({ event }) => closeFrameOf(event) },
          after: {
            closeTimeout: [
              { guard: 'isStopping', target: '#minch.stopping' },
              { target: '#minch.backoff', actions: { type: 'endAttempt', params: NO_CLOSE_ANSWER } },
            ],
          },
          on: onStop({ actions: 'markStopping' } as const),
        },
      },
    },
    backoff: {
      initial: 'deciding',
      exit: assign({ backoffMs: null, nextAttemptAt: null }),
      states: {
        deciding: {
          entry: {
            type: 'run',
            params: ({ context }) => ({
              callback: 'handleDisconnect',
              args: [context.lastDisconnect, context.attempt],
            }),
          },
          on: {
            'callback.reconnect': [
              // No delay and online: connect now, without a zero-delay timer turn.
              { guard: 'isImmediate', target: '#minch.connection' },
              {
                target: 'waiting',
                actions: assign({
                  backoffMs: ({ event }) => event.backoffMs,
                  nextAttemptAt: ({ event }) => Date.now() + event.backoffMs,
                }),
              },
            ],
          },
        },
        waiting: {
          after: { reconnectDelay: { guard: 'isOnline', target: '#minch.connection' } },
          on: {
            // Back online, or a page visible again: retry at once instead of waiting out the backoff.
            'env.online': { target: '#minch.connection', actions: assign({ offline: false }) },
            'env.visible': { guard: 'isOnline', target: '#minch.connection' },
          },
        },
      },
    },
    stopping: {
      entry: { type: 'run', params: ({ context }) => ({ callback: 'terminate', args: [context.stopReason] }) },
      on: { 'callback.terminated': 'stopped' },
    },
    stopped: { type: 'final' },
  },
});

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
