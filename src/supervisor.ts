/**
 * `createSupervisor`: OTP's one-for-one supervisor for Minch clients, as an
 * XState parent actor. See machines/supervisorMachine.ts for the rules.
 */
import { assign, createActor, type AnyActorRef, type InspectionEvent, type Observer, type SnapshotFrom } from 'xstate';
import {
  afterRestart,
  restartsUsedUp,
  supervisorMachine,
  type SupervisorContext,
} from '../machines/supervisorMachine.js';
import { registerCloser, whenDone, type Clock, type MinchActor, type MinchActorOptions } from './client.js';
import { DEFAULTS } from './core/options.js';
import {
  attachRuntime,
  buildRuntime,
  checkClientOptions,
  runtimeMachine,
  whenAborted,
  type CheckedClient,
} from './runtime/attach.js';
import type { TypedActor, WithContext } from './typedActor.js';
import type { MinchClient } from './types.js';

/** One supervised client. Its `id` is its name in the actor system. */
export interface ChildSpec<State = any, InitArg = any, Info = any> {
  /** Unique among the children, non-empty, without `#`. */
  id: string;
  /** The child's callbacks. */
  client: MinchClient<State, InitArg, Info>;
  /** Given to `init` at every start, the restarts included. */
  initArg: InitArg;
  /** `createMinchActor`'s options, without those that belong to the supervisor. */
  options?: Omit<MinchActorOptions, 'systemId' | 'inspect' | 'clock' | 'signal'>;
}

/** Options of `createSupervisor`. */
export interface SupervisorOptions {
  /** Only one-for-one: a crashed child is restarted alone. @default 'one-for-one' */
  strategy?: 'one-for-one';
  /** Restarts allowed within `withinMs`; one more crash stops the supervisor. @default 3 */
  maxRestarts?: number;
  /** The window, in milliseconds, in which restarts count towards `maxRestarts`. @default 5000 */
  withinMs?: number;
  /** Aborting it stops every child (close code 1000) and the supervisor. */
  signal?: AbortSignal;
  /** XState's inspection observer (for the Stately inspector): sees the supervisor and its children. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** XState system id of the supervisor itself. */
  systemId?: string;
  /**
   * XState clock, for tests (`SimulatedClock`): every child's timers run on
   * it, and the restart window reads its `now()`.
   */
  clock?: Clock;
}

/** The running client of each child spec, by id, typed with that client's `State`. */
export type SupervisedChildren<Specs extends readonly ChildSpec[] = readonly ChildSpec[]> = {
  [Spec in Specs[number] as Spec['id']]?: Spec extends ChildSpec<infer State> ? MinchActor<State> : never;
};

/**
 * A supervisor's snapshot: `context.children` holds the running client of
 * each child, by id (absent while a crashed child restarts or once it stopped).
 */
export type SupervisorSnapshot<Specs extends readonly ChildSpec[] = readonly ChildSpec[]> = WithContext<
  SnapshotFrom<typeof supervisorMachine>,
  Omit<SupervisorContext, 'children'> & {
    /** The running client of each child, by id. */
    children: SupervisedChildren<Specs>;
  }
>;

/**
 * The actor `createSupervisor` returns. Its snapshot's `context.children` has
 * each child's client typed with that child's `State`. It has every member of
 * XState's `Actor` (`start`, `id`, `system`, ...).
 */
export type SupervisorActor<Specs extends readonly ChildSpec[] = readonly ChildSpec[]> = TypedActor<
  typeof supervisorMachine,
  SupervisorSnapshot<Specs>
>;

/**
 * Creates a supervisor (not started: call `.start()`) that starts every child
 * client and restarts one that stops abnormally — a `stop` result whose
 * reason is not `'normal'` or `'shutdown'`, a failing `init`, or an error
 * escaping the actor — from `init(initArg)` again. More than `maxRestarts`
 * restarts within `withinMs` stop it with `{ type: 'max_restarts', child, reason }`.
 * Children are found by name: `supervisor.system.get(id)`. `close(supervisor,
 * { code: 1001, reason: 'going away' })` closes every child, then the supervisor.
 *
 * @example
 * const sup = createSupervisor([{ id: 'echo', client, initArg: { url } }], { maxRestarts: 3, withinMs: 5000 });
 * sup.start();
 * sendFrame(sup.system.get('echo'), { type: 'text', data: 'hi' });
 */
export function createSupervisor<const Specs extends readonly ChildSpec[]>(
  children: Specs,
  options: SupervisorOptions = {},
): SupervisorActor<Specs> {
  if (!Array.isArray(children))
    throw new TypeError('createSupervisor: children must be an array of { id, client, initArg, options? }');
  // Each child's client and options are checked once, here; every (re)start builds from that.
  const specs = new Map<string, { spec: ChildSpec; checked: CheckedClient }>();
  for (const spec of children) {
    if (typeof spec?.id !== 'string' || spec.id === '' || spec.id.includes('#'))
      throw new TypeError('createSupervisor: each child needs a non-empty string id without "#"');
    if (specs.has(spec.id)) throw new TypeError(`createSupervisor: duplicate child id "${spec.id}"`);
    const checked = checkClientOptions(spec.client, spec.options ?? {}, `createSupervisor (child "${spec.id}")`);
    specs.set(spec.id, { spec, checked });
  }
  const { strategy = 'one-for-one', maxRestarts = 3, withinMs = 5000 } = options;
  if (strategy !== 'one-for-one')
    throw new RangeError(`createSupervisor: strategy "${String(strategy)}" is not supported; use 'one-for-one'`);
  if (!Number.isInteger(maxRestarts) || maxRestarts < 0)
    throw new RangeError('createSupervisor: maxRestarts must be an integer >= 0');
  if (!(withinMs > 0)) throw new RangeError('createSupervisor: withinMs must be a number of milliseconds > 0');

  let seq = 0;
  const clock = options.clock;
  const now = (): number => clock?.now?.() ?? Date.now();
  const logic = supervisorMachine.provide({
    guards: { tooManyRestarts: ({ context }) => restartsUsedUp(context, now()) },
    actions: {
      recordRestart: assign(({ context }) => afterRestart(context as SupervisorContext, now())) as never,
      startChild: assign(({ context, spawn }, params: { id: string }) => {
        const { spec, checked } = specs.get(params.id) as { spec: ChildSpec; checked: CheckedClient };
        const child = buildRuntime(checked, spec.initArg);
        const ref = spawn(runtimeMachine, {
          id: `${spec.id}#${++seq}`,
          systemId: spec.id,
          input: child.input,
        }) as AnyActorRef;
        attachRuntime(child.runtime, ref);
        return {
          children: { ...context.children, [spec.id]: ref },
          instances: { ...context.instances, [ref.id]: spec.id },
        };
      }) as never,
    },
  });
  const actor = createActor(logic, {
    input: { ids: [...specs.keys()], maxRestarts, withinMs },
    ...(options.inspect !== undefined && { inspect: options.inspect }),
    ...(options.systemId !== undefined && { systemId: options.systemId }),
    ...(clock !== undefined && { clock }),
  });
  // XState keeps events sent before start() until start(): the stop below is then the first
  // thing a supervisor does when it starts, before any child connects, and it finishes. A close
  // before start() resolves at once, as nothing runs yet to wait for.
  let started = false;
  const start = actor.start;
  actor.start = function (this: typeof actor) {
    started = true;
    return start.call(this);
  };
  const stop = (close: { code: number; reason: string }): Promise<void> => {
    if (!started) {
      actor.send({ type: 'user.stop', ...close });
      return Promise.resolve();
    }
    const done = whenDone(actor);
    if (actor.getSnapshot().status === 'active') actor.send({ type: 'user.stop', ...close });
    return done;
  };
  registerCloser(actor, stop);
  if (options.signal !== undefined) {
    whenAborted(options.signal, actor, () => void stop({ code: DEFAULTS.closeCode, reason: '' }));
  }
  // One machine runs every supervisor; only the type of `context.children` differs.
  return actor as unknown as SupervisorActor<Specs>;
}
