/**
 * The Minch statechart: `idle` while `init` runs, a `connection`
 * (`connecting → open → closing`), `backoff` between attempts, `stopping`
 * while `terminate` runs, and the final `stopped`.
 *
 * - The `connection` state owns the socket of one attempt: its entry asks
 *   `connect(state)` for a target, its exit releases the socket, whatever
 *   ended the attempt. No transition stops a socket by hand.
 * - Every timer is a delay of the state it belongs to (`self.sendAfter`'s are
 *   delayed events), so leaving the state cancels it.
 * - "The attempt ended" is one action (`endAttempt`) and one state (`backoff`,
 *   whose entry asks `handleDisconnect`); "stop" is handled once at the root.
 * - Events of an attempt carry its `generation`; a late one is ignored.
 *
 * Callbacks never run inside a transition: `run` hands them to the client's
 * mailbox, and their results come back as `callback.*` events. The runtime
 * provides the named actions once for all clients.
 */
import { and, assign, cancel, enqueueActions, fromCallback, setup, stateIn } from 'xstate';
import { nextAttempt } from '../src/core/backoff.js';
import { ENDED } from '../src/core/errors.js';
import type { CallbackName, DisconnectReason, HeartbeatOptions } from '../src/types.js';
import type { MinchContext, MinchInput } from './context.js';
import { closeFrameOf, onStop, stopReasonOf } from './events.js';
import type { EnvironmentEvent, MinchEvent, StopEvent } from './events.js';

/** Placeholder implementations; the runtime provides the real ones. */
const unprovided = (): void => {
  throw new Error('minchMachine must be run through createMinchActor, which provides its runtime');
};

/** The heartbeat's timings; its states are never entered when it is off. */
const heartbeatOf = (context: MinchContext): HeartbeatOptions =>
  context.timings.heartbeat || { intervalMs: 0, timeoutMs: 0 };

const offlineReason = ({ context }: { context: MinchContext }): DisconnectReason =>
  context.openedAt === null ? ENDED.offlineConnecting : ENDED.offlineOpen;

/** The statechart as XState logic (diagrams, tests); its I/O actions throw until `createMinchActor` provides them. */
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
    run: (_, _params: { callback: CallbackName; args: readonly unknown[] }) => unprovided(),
    /** Opens the socket of attempt `generation` to the target `connect(state)` gave. */
    openSocket: (_, _params: { generation: number }) => unprovided(),
    /** Sends a close frame on the open socket. */
    closeSocket: (_, _params: { code: number; reason: string }) => unprovided(),
    /** Removes the socket's listeners and closes or terminates it. */
    releaseSocket: () => unprovided(),
    /** Sends a heartbeat probe: a ping, or the configured frame. */
    probe: () => unprovided(),
    /** `handleDisconnect` chose to reconnect, and the machine took it: a diagnostics message. */
    reconnecting: () => unprovided(),
    /** The client is stopping; the first reason given is the one `terminate` gets. */
    markStopping: assign(({ context, event }) => ({
      stopReason: context.stopReason ?? stopReasonOf(event as StopEvent),
    })),
    /** An attempt ended: count it (the attempt rule) and remember why. */
    endAttempt: assign(({ context: c }, lastDisconnect: DisconnectReason) => ({
      attempt: nextAttempt(c.attempt, c.openedAt !== null, Date.now() - (c.openedAt ?? 0), c.timings.minUptimeMs),
      lastDisconnect,
      openedAt: null,
    })),
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
    heartbeatInterval: ({ context }) => heartbeatOf(context).intervalMs,
    heartbeatTimeout: ({ context }) => heartbeatOf(context).timeoutMs,
    /** After an answered probe, the next is due `intervalMs` after that one was sent. */
    heartbeatRest: ({ context }) => Math.max(0, heartbeatOf(context).intervalMs - heartbeatOf(context).timeoutMs),
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
          actions: [assign({ offline: true }), { type: 'endAttempt', params: offlineReason }],
        },
      },
      states: {
        connecting: {
          after: {
            connectTimeout: {
              target: '#minch.backoff',
              actions: { type: 'endAttempt', params: ENDED.handshakeTimeout },
            },
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
                  { target: '#minch.backoff', actions: { type: 'endAttempt', params: ENDED.heartbeatTimeout } },
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
              { target: '#minch.backoff', actions: { type: 'endAttempt', params: ENDED.noCloseAnswer } },
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
            params: ({ context: c }) => ({ callback: 'handleDisconnect', args: [c.lastDisconnect, c.attempt] }),
          },
          on: {
            'callback.reconnect': [
              // No delay and online: connect now, without a zero-delay timer turn.
              { guard: 'isImmediate', target: '#minch.connection', actions: 'reconnecting' },
              {
                target: 'waiting',
                actions: [
                  'reconnecting',
                  assign({
                    backoffMs: ({ event }) => event.backoffMs,
                    nextAttemptAt: ({ event }) => Date.now() + event.backoffMs,
                  }),
                ],
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
