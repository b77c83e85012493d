/**
 * The Minch machine alone, on XState's SimulatedClock, with its named actions
 * replaced by a log of what it asks the runtime to do ("connect(1)",
 * "openSocket 1", "releaseSocket", "handleDisconnect(closed 1006, 1)", ...).
 * No socket and no callback runs: the machine's own decisions are under test.
 * Every transition taken is recorded through XState's inspection API, for the
 * transition-coverage test.
 */
import { createActor, SimulatedClock, type InspectionEvent } from 'xstate';
import type { MinchEvent } from '../../machines/events.js';
import { stateName } from '../../machines/context.js';
import { minchMachine } from '../../machines/minchMachine.js';
import type { ResolvedTimings } from '../../src/core/options.js';
import { transitionKey } from '../../scripts/transitions.js';

/** Keys of every transition taken by any actor given `recordTransitions` as its inspector. */
export const takenTransitions = new Set<string>();

export function recordTransitions(event: InspectionEvent): void {
  if (event.type !== '@xstate.microstep') return;
  for (const t of (event as unknown as { _transitions: Parameters<typeof transitionKey>[0][] })._transitions) {
    takenTransitions.add(transitionKey(t));
  }
}

export const TIMINGS: ResolvedTimings = {
  connectTimeoutMs: 1000,
  closeTimeoutMs: 500,
  heartbeat: false,
  minUptimeMs: 0,
};

function show(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  const v = value as { type?: string; code?: number; reason?: unknown; status?: number };
  if (v.type === 'closed') return `closed ${v.code}`;
  if (v.type === 'connect_error') return `connect_error ${String(v.reason)}`;
  if (v.type !== undefined) return v.type === 'aborted' ? `aborted ${String(v.reason)}` : v.type;
  return v.status !== undefined ? String(v.status) : JSON.stringify(value);
}

export function machineHarness(timings: Partial<ResolvedTimings> = {}, initArg: unknown = 's') {
  const requests: string[] = [];
  const clock = new SimulatedClock();
  const machine = minchMachine.provide({
    actions: {
      run: (_, { callback, args }) => void requests.push(`${callback}(${args.map(show).join(', ')})`),
      openSocket: (_, { generation }) => void requests.push(`openSocket ${generation}`),
      closeSocket: (_, { code, reason }) => void requests.push(`closeSocket ${code} ${reason}`.trim()),
      releaseSocket: () => void requests.push('releaseSocket'),
      probe: () => void requests.push('probe'),
      reconnecting: () => {},
    },
  });
  const actor = createActor(machine, {
    input: { initArg, timings: { ...TIMINGS, ...timings } },
    clock,
    inspect: recordTransitions,
  });
  actor.start();
  return {
    actor,
    clock,
    /** Sends the events in order and returns what the last one asked for. */
    send(...events: MinchEvent[]): string[] {
      let asked: string[] = [];
      for (const event of events) {
        requests.length = 0;
        actor.send(event);
        asked = [...requests];
      }
      return asked;
    },
    /** Advances the clock and returns what the timers asked for. */
    advance(ms: number): string[] {
      requests.length = 0;
      clock.increment(ms);
      return [...requests];
    },
    requests,
    snapshot: () => actor.getSnapshot(),
    state: () => stateName(actor.getSnapshot()),
    context: () => actor.getSnapshot().context,
  };
}

// Event builders for readable scenarios.
export const ev = {
  initialised: (state: unknown = 's1'): MinchEvent => ({ type: 'callback.initialised', state }),
  target: (generation = 1): MinchEvent => ({ type: 'callback.target', generation, url: 'ws://h/' }),
  targetFailed: (generation = 1): MinchEvent => ({
    type: 'callback.targetFailed',
    generation,
    reason: { type: 'connect_error', reason: 'invalid_target', message: 'connect threw' },
  }),
  open: (generation = 1): MinchEvent => ({
    type: 'socket.open',
    generation,
    response: { status: 101, headers: {}, protocol: '' },
  }),
  closed: (generation = 1, code = 1006): MinchEvent => ({
    type: 'socket.closed',
    generation,
    reason: { type: 'closed', code, reason: '' },
  }),
  refused: (generation = 1): MinchEvent => ({
    type: 'socket.closed',
    generation,
    reason: { type: 'connect_error', reason: 'econnrefused', message: '' },
  }),
  alive: (generation = 1): MinchEvent => ({ type: 'socket.alive', generation }),
  reconnect: (backoffMs: number): MinchEvent => ({ type: 'callback.reconnect', backoffMs }),
  closeResult: (code = 1000, reason = 'bye'): MinchEvent => ({ type: 'callback.close', code, reason }),
  stop: (code = 1000, reason = ''): MinchEvent => ({ type: 'user.stop', code, reason }),
  terminated: (): MinchEvent => ({ type: 'callback.terminated' }),
};

/** The four ways a client is told to stop, with the reason `terminate` then gets. */
export const STOPS: [string, MinchEvent, unknown][] = [
  ['close(actor)', { type: 'user.stop', code: 4001, reason: 'bye' }, 'normal'],
  ['an aborted signal', { type: 'user.abort', abortReason: 'AbortError' }, { type: 'aborted', reason: 'AbortError' }],
  ['the supervisor', { type: 'supervisor.stop', code: 1001, reason: 'going away' }, 'shutdown'],
  ['a stop result', { type: 'callback.stop', reason: 'done' }, 'done'],
];
