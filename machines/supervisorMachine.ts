/**
 * The supervisor statechart: `running → stopping → stopped`. It owns Minch
 * client actors as spawned children (one-for-one), restarts a child that
 * stopped abnormally, and gives up after `maxRestarts` within `withinMs`,
 * stopping every child and itself with a clear reason.
 *
 * Children are registered in the actor system under their spec id
 * (`supervisor.system.get('echo')`), so a restarted child keeps its name.
 * How a child is started is provided by `createSupervisor` (`startChild`),
 * since each start needs a fresh client runtime.
 */
import { and, assign, enqueueActions, setup, type AnyActorRef } from 'xstate';
import { DEFAULTS } from '../src/core/options.js';

/** The supervisor machine's context: `supervisor.getSnapshot().context`. */
export interface SupervisorContext {
  /** Spec ids in start order. */
  ids: string[];
  /** The running instance of each child, by spec id; absent once it stopped for good. */
  children: Partial<Record<string, AnyActorRef>>;
  /** Child instance id → spec id. */
  instances: Record<string, string>;
  /** When the recent restarts happened (epoch ms, or the `clock`'s time), to apply `maxRestarts` within `withinMs`. */
  restartTimes: number[];
  /** Restarts so far, in all. */
  restarts: number;
  /** `maxRestarts` of `SupervisorOptions`. */
  maxRestarts: number;
  /** `withinMs` of `SupervisorOptions`. */
  withinMs: number;
  /** Why the supervisor stops: `'normal'`, or `{ type: 'max_restarts', child, reason }`. */
  stopReason: unknown;
  /** The close frame the children are sent when the supervisor stops. */
  close: {
    /** The close code. */
    code: number;
    /** The close reason. */
    reason: string;
  };
}

export interface SupervisorInput {
  ids: string[];
  maxRestarts: number;
  withinMs: number;
}

type ChildDone = { type: `xstate.done.actor.${string}`; output?: { reason?: unknown }; actorId: string };
type ChildError = { type: `xstate.error.actor.${string}`; error: unknown; actorId: string };
/** `user.stop` is `close(supervisor, { code, reason })`. */
export type SupervisorEvent = ChildDone | ChildError | { type: 'user.stop'; code: number; reason: string };

/** A stop that is not a crash: OTP's normal and shutdown, a user's close or abort. */
export function isNormalExit(reason: unknown): boolean {
  return (
    reason === 'normal' ||
    reason === 'shutdown' ||
    (typeof reason === 'object' && reason !== null && (reason as { type?: unknown }).type === 'aborted')
  );
}

/** Child instance ids are `${specId}#${n}`. */
export function specIdOf(actorId: string): string {
  const hash = actorId.lastIndexOf('#');
  return hash === -1 ? actorId : actorId.slice(0, hash);
}

function exitReason(event: ChildDone | ChildError): unknown {
  return event.type.startsWith('xstate.error.')
    ? { type: 'error', message: String((event as ChildError).error) }
    : (event as ChildDone).output?.reason;
}

/** The restart log after one more restart at `now` (ms). */
export const afterRestart = (context: SupervisorContext, now: number) => ({
  restarts: context.restarts + 1,
  restartTimes: [...context.restartTimes, now].slice(-context.maxRestarts - 1),
});

/** True if the restarts within `withinMs` before `now` have used up `maxRestarts`. */
export const restartsUsedUp = (context: SupervisorContext, now: number): boolean =>
  context.restartTimes.filter((t) => now - t <= context.withinMs).length >= context.maxRestarts;

const setupSupervisor = setup({
  types: {
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
    input: {} as SupervisorInput,
    output: {} as { reason: unknown },
  },
  actions: {
    /** Spawns a fresh instance of child `id`; provided by `createSupervisor`. */
    startChild: (_, _params: { id: string }) => {
      throw new Error('supervisorMachine must be run through createSupervisor');
    },
    /** Forgets a child instance that stopped. */
    forgetChild: assign(({ context, event }) => {
      const actorId = (event as ChildDone).actorId;
      const id = specIdOf(actorId);
      const children = { ...context.children };
      if (children[id]?.id === actorId) delete children[id];
      const instances = { ...context.instances };
      delete instances[actorId];
      return { children, instances };
    }),
    /** Logs a restart at `Date.now()`; `createSupervisor` provides one on its clock. */
    recordRestart: assign(({ context }) => afterRestart(context, Date.now())),
    giveUp: assign(({ event }) => ({
      stopReason: {
        type: 'max_restarts',
        child: specIdOf((event as ChildDone).actorId),
        reason: exitReason(event as ChildDone | ChildError),
      },
    })),
    closeChildren: enqueueActions(({ context, enqueue }) => {
      for (const ref of Object.values(context.children)) {
        if (ref !== undefined)
          enqueue.sendTo(ref, { type: 'supervisor.stop', code: context.close.code, reason: context.close.reason });
      }
    }),
  },
  guards: {
    isCrash: ({ event }) => !isNormalExit(exitReason(event as ChildDone | ChildError)),
    isCurrentChild: ({ context, event }) => {
      const id = context.instances[(event as ChildDone).actorId];
      return id !== undefined && context.children[id]?.id === (event as ChildDone).actorId;
    },
    /** At `Date.now()`; `createSupervisor` provides one on its clock. */
    tooManyRestarts: ({ context }) => restartsUsedUp(context, Date.now()),
    noChildren: ({ context }) => Object.keys(context.children).length === 0,
  },
});

/** What happens when a child instance stops, in order of precedence. */
const childExit = [
  {
    guard: and(['isCurrentChild', 'isCrash', 'tooManyRestarts']),
    target: '#supervisor.stopping',
    actions: ['forgetChild', 'giveUp'],
  },
  {
    guard: and(['isCurrentChild', 'isCrash']),
    actions: [
      'forgetChild',
      'recordRestart',
      {
        type: 'startChild',
        params: ({ event }: { event: SupervisorEvent }) => ({ id: specIdOf((event as ChildDone).actorId) }),
      },
    ],
  },
  { guard: 'isCurrentChild', actions: 'forgetChild' },
] as const;

/**
 * The supervisor statechart as XState machine logic, for diagrams and
 * inspection. Its `startChild` action is a placeholder that throws:
 * `createSupervisor` runs it with the real one.
 */
export const supervisorMachine = setupSupervisor.createMachine({
  id: 'supervisor',
  context: ({ input }) => ({
    ids: input.ids,
    children: {},
    instances: {},
    restartTimes: [],
    restarts: 0,
    maxRestarts: input.maxRestarts,
    withinMs: input.withinMs,
    stopReason: undefined,
    close: { code: DEFAULTS.closeCode, reason: '' },
  }),
  initial: 'running',
  output: ({ context }) => ({ reason: context.stopReason }),
  states: {
    running: {
      entry: enqueueActions(({ context, enqueue }) => {
        for (const id of context.ids) enqueue({ type: 'startChild', params: { id } });
      }),
      on: {
        'xstate.done.actor.*': childExit,
        'xstate.error.actor.*': childExit,
        'user.stop': {
          target: 'stopping',
          actions: assign({ stopReason: 'normal', close: ({ event }) => ({ code: event.code, reason: event.reason }) }),
        },
      },
      always: {
        guard: 'noChildren',
        target: 'stopped',
        actions: assign({ stopReason: ({ context }) => context.stopReason ?? 'normal' }),
      },
    },
    stopping: {
      entry: 'closeChildren',
      always: { guard: 'noChildren', target: 'stopped' },
      on: {
        'xstate.done.actor.*': { actions: 'forgetChild' },
        'xstate.error.actor.*': { actions: 'forgetChild' },
      },
    },
    stopped: { type: 'final' },
  },
});
