/**
 * The Minch statechart: `idle → connecting → open → closing → backoff`, and a
 * final `stopped`. Every lifecycle decision and every timer is a transition or
 * an invoked actor of this machine:
 *
 * - the handshake timeout is an `after` of `connecting`, the close timeout an
 *   `after` of `closing`, the reconnect delay an `after` of `backoff`, so
 *   leaving a state cancels its timer;
 * - `self.sendAfter` timers are delayed events of the machine, cancelled with
 *   the actor;
 * - the socket is a child actor spawned per attempt and stopped when the
 *   attempt ends; its events carry the attempt's `generation`, and events of
 *   an older generation are ignored.
 *
 * The callbacks run in the client runtime's mailbox; the machine tells it what
 * to run through named actions, which `createMinchActor` provides.
 */
import { and, assign, cancel, enqueueActions, fromCallback, not, sendTo, setup, spawnChild, stopChild } from 'xstate';
import { nextAttempt } from '../src/core/backoff.js';
import type { ResolvedTimings } from '../src/core/options.js';
import type { RuntimeEvent } from '../src/runtime.js';
import type { EnvironmentEvent, SocketCommand, SocketEvent, SocketInput } from '../src/adapter.js';
import type { DisconnectReason, UpgradeResponse } from '../src/types.js';

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
  /** Counts connection attempts; socket events of older attempts are ignored. */
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

export type MinchEvent =
  | RuntimeEvent
  | SocketEvent
  | EnvironmentEvent
  | { type: 'client.close'; reason: unknown; code?: number; closeReason?: string };

const DEFAULT_TIMINGS: ResolvedTimings = { connectTimeoutMs: 10_000, closeTimeoutMs: 5_000, heartbeat: false, minUptimeMs: 0 };

/** Placeholder implementations; `createMinchActor` provides the real ones. */
const unprovided = (): void => {
  throw new Error('minchMachine must be run through createMinchActor, which provides its runtime');
};

export const minchMachine = setup({
  types: {
    context: {} as MinchContext,
    events: {} as MinchEvent,
    input: {} as MinchInput,
    output: {} as { reason: unknown },
  },
  actors: {
    socket: fromCallback<SocketCommand, SocketInput, SocketEvent>(unprovided),
    /** Browser connectivity and visibility as events; nothing in Node. */
    environment: fromCallback<EnvironmentEvent>(() => () => {}),
  },
  actions: {
    runInit: (_, _params: { initArg: unknown }) => unprovided(),
    runConnect: (_, _params: { generation: number }) => unprovided(),
    runHandleConnect: (_, _params: { response: UpgradeResponse }) => unprovided(),
    runInfo: (_, _params: { message: unknown }) => unprovided(),
    /** Runs handleDisconnect(context.lastDisconnect, context.attempt). */
    runDisconnect: () => unprovided(),
    /** Runs terminate(context.stopReason) once. */
    runTerminate: () => unprovided(),
    spawnSocket: spawnChild('socket', {
      id: 'socket',
      input: ({ context, self }) => ({ owner: self, generation: context.generation, heartbeat: context.timings.heartbeat }),
    }),
    stopSocket: stopChild('socket'),
    markStopping: assign((_, params: { reason: unknown }) => ({ stopReason: params.reason ?? 'normal', backoffMs: null, nextAttemptAt: null })),
    /** An attempt ended: count it (the attempt rule) and remember why. */
    recordDisconnect: assign(({ context }, params: { reason: DisconnectReason }) => {
      const opened = context.openedAt !== null;
      const uptimeMs = opened ? Date.now() - (context.openedAt as number) : 0;
      return {
        attempt: nextAttempt(context.attempt, opened, uptimeMs, context.timings.minUptimeMs),
        lastDisconnect: params.reason,
        openedAt: null,
        backoffMs: null,
        nextAttemptAt: null,
      };
    }),
    closeSocket: sendTo('socket', (_, params: { code: number; reason: string }) => ({ type: 'socket.close' as const, ...params })),
  },
  guards: {
    isCurrent: ({ context, event }) => 'generation' in event && event.generation === context.generation,
    isStopping: ({ context }) => context.stopReason !== undefined,
    hasDecision: ({ context }) => context.backoffMs !== null,
    canRetry: ({ context }) => context.backoffMs !== null && !context.offline,
    /**
     * A zero backoff after an open connection ended: reconnect without a timer
     * turn. Only then: a failure found without I/O (a bad target) must still go
     * through a timer, or a zero backoff would starve the event loop.
     */
    isImmediate: ({ context, event }) =>
      event.type === 'disconnect.reconnect' &&
      event.backoffMs === 0 &&
      !context.offline &&
      (context.lastDisconnect?.type === 'closed' || context.lastDisconnect?.type === 'heartbeat_timeout'),
  },
  delays: {
    connectTimeout: ({ context }) => context.timings.connectTimeoutMs,
    closeTimeout: ({ context }) => context.timings.closeTimeoutMs,
    reconnectDelay: ({ context }) => context.backoffMs ?? 0,
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
    timings: input.timings ?? DEFAULT_TIMINGS,
  }),
  initial: 'idle',
  // Browser connectivity events; Node has none, so no actor is spent on them there.
  entry: enqueueActions(({ context, enqueue }) => {
    if (context.timings.watchEnvironment === true) enqueue.spawnChild('environment', { id: 'environment' });
  }),
  output: ({ context }) => ({ reason: context.stopReason }),
  on: {
    'state.sync': { actions: assign({ state: ({ event }) => event.state }) },
    'client.info': { actions: { type: 'runInfo', params: ({ event }) => ({ message: event.message }) } },
    'client.sendAfter': {
      actions: enqueueActions(({ event, enqueue }) =>
        enqueue.raise({ type: 'client.info', message: event.message }, { id: event.id, delay: event.delayMs }),
      ),
    },
    'client.cancelTimer': { actions: cancel(({ event }) => event.id) },
    'env.offline': { actions: assign({ offline: true }) },
    'env.online': { actions: assign({ offline: false }) },
  },
  states: {
    idle: {
      entry: { type: 'runInit', params: ({ context }) => ({ initArg: context.state }) },
      on: {
        'init.done': [
          // Closed while init ran: init succeeded, so terminate runs, but no connection is made.
          { guard: 'isStopping', target: 'closing', actions: [assign({ state: ({ event }) => event.state }), 'runTerminate'] },
          { target: 'connecting', actions: assign({ state: ({ event }) => event.state }) },
        ],
        'init.stop': { target: 'stopped', actions: { type: 'markStopping', params: ({ event }) => ({ reason: event.reason }) } },
        'client.close': { guard: not('isStopping'), actions: { type: 'markStopping', params: ({ event }) => ({ reason: event.reason }) } },
        'result.stop': { guard: not('isStopping'), actions: { type: 'markStopping', params: ({ event }) => ({ reason: event.reason }) } },
      },
    },
    connecting: {
      entry: [
        assign({ generation: ({ context }) => context.generation + 1, url: null, backoffMs: null, nextAttemptAt: null }),
        { type: 'runConnect', params: ({ context }) => ({ generation: context.generation }) },
      ],
      after: {
        connectTimeout: {
          target: 'backoff',
          actions: ['stopSocket', { type: 'recordDisconnect', params: { reason: { type: 'connect_error', reason: 'timeout', message: 'the opening handshake timed out' } } }, 'runDisconnect'],
        },
      },
      on: {
        'connect.ready': { guard: 'isCurrent', actions: [assign({ url: ({ event }) => event.url }), 'spawnSocket'] },
        'connect.failed': { guard: 'isCurrent', target: 'backoff', actions: ['stopSocket', { type: 'recordDisconnect', params: ({ event }) => ({ reason: event.reason }) }, 'runDisconnect'] },
        'socket.open': {
          guard: 'isCurrent',
          target: 'open',
          actions: [assign({ openedAt: () => Date.now() }), { type: 'runHandleConnect', params: ({ event }) => ({ response: event.response }) }],
        },
        'socket.closed': { guard: 'isCurrent', target: 'backoff', actions: ['stopSocket', { type: 'recordDisconnect', params: ({ event }) => ({ reason: event.reason }) }, 'runDisconnect'] },
        'client.close': { target: 'closing', actions: ['stopSocket', { type: 'markStopping', params: ({ event }) => ({ reason: event.reason }) }, 'runTerminate'] },
        'result.stop': { target: 'closing', actions: ['stopSocket', { type: 'markStopping', params: ({ event }) => ({ reason: event.reason }) }, 'runTerminate'] },
        'env.offline': {
          target: 'backoff',
          actions: [
            assign({ offline: true }),
            'stopSocket',
            { type: 'recordDisconnect', params: { reason: { type: 'connect_error', reason: 'offline', message: 'the browser went offline' } } },
            'runDisconnect',
          ],
        },
      },
    },
    open: {
      on: {
        'env.offline': {
          target: 'backoff',
          actions: [
            assign({ offline: true }),
            'stopSocket',
            { type: 'recordDisconnect', params: { reason: { type: 'closed', code: 1006, reason: 'the browser went offline' } } },
            'runDisconnect',
          ],
        },
        'env.visible': { actions: sendTo('socket', { type: 'socket.probe' }) },
        'socket.closed': { guard: 'isCurrent', target: 'backoff', actions: ['stopSocket', { type: 'recordDisconnect', params: ({ event }) => ({ reason: event.reason }) }, 'runDisconnect'] },
        'result.close': {
          target: 'closing',
          actions: { type: 'closeSocket', params: ({ event }) => ({ code: event.code, reason: event.reason }) },
        },
        'result.stop': {
          target: 'closing',
          actions: [{ type: 'markStopping', params: ({ event }) => ({ reason: event.reason }) }, { type: 'closeSocket', params: { code: 1000, reason: '' } }],
        },
        'client.close': {
          target: 'closing',
          actions: [
            { type: 'markStopping', params: ({ event }) => ({ reason: event.reason }) },
            { type: 'closeSocket', params: ({ event }) => ({ code: event.code ?? 1000, reason: event.closeReason ?? '' }) },
          ],
        },
      },
    },
    closing: {
      after: {
        closeTimeout: [
          { guard: 'isStopping', actions: ['stopSocket', 'runTerminate'] },
          {
            target: 'backoff',
            actions: ['stopSocket', { type: 'recordDisconnect', params: { reason: { type: 'closed', code: 1006, reason: 'the server did not answer the close frame in time' } } }, 'runDisconnect'],
          },
        ],
      },
      on: {
        'socket.closed': [
          {
            guard: and(['isStopping', 'isCurrent']),
            actions: [
              'stopSocket',
              assign({ lastDisconnect: ({ event }) => event.reason, openedAt: null }),
              'runTerminate',
            ],
          },
          { guard: 'isCurrent', target: 'backoff', actions: ['stopSocket', { type: 'recordDisconnect', params: ({ event }) => ({ reason: event.reason }) }, 'runDisconnect'] },
        ],
        'client.close': { guard: not('isStopping'), actions: { type: 'markStopping', params: ({ event }) => ({ reason: event.reason }) } },
        'result.stop': { guard: not('isStopping'), actions: { type: 'markStopping', params: ({ event }) => ({ reason: event.reason }) } },
        'terminate.done': { target: 'stopped' },
      },
    },
    backoff: {
      after: {
        reconnectDelay: { guard: 'canRetry', target: 'connecting' },
      },
      on: {
        // Back online, or a page visible again: retry at once instead of waiting out the backoff.
        'env.online': { guard: 'hasDecision', target: 'connecting', actions: assign({ offline: false }) },
        'env.visible': { guard: 'canRetry', target: 'connecting' },
        'disconnect.reconnect': [
          // No delay and online: connect now, without a zero-delay timer turn.
          { guard: 'isImmediate', target: 'connecting' },
          {
            target: 'backoff',
            reenter: true,
            actions: assign({ backoffMs: ({ event }) => event.backoffMs, nextAttemptAt: ({ event }) => Date.now() + event.backoffMs }),
          },
        ],
        'result.stop': { target: 'closing', actions: ['stopSocket', { type: 'markStopping', params: ({ event }) => ({ reason: event.reason }) }, 'runTerminate'] },
        'client.close': { target: 'closing', actions: ['stopSocket', { type: 'markStopping', params: ({ event }) => ({ reason: event.reason }) }, 'runTerminate'] },
      },
    },
    stopped: {
      type: 'final',
    },
  },
});
