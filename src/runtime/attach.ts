/**
 * How a client instance is put together: its options checked, a fresh runtime,
 * and the machine's implementations, provided once for all clients. Each named
 * action finds its client's runtime through the actor that runs it, so
 * building a machine per client (~23 KiB and 0.2 ms each) is never needed.
 */
import * as E from '../core/either.js';
import type { AnyActorRef } from 'xstate';
import { stateName, type MinchInput } from '../../machines/context.js';
import { minchMachine } from '../../machines/minchMachine.js';
import { drivesWs, environmentLogic, isNodeWs } from '../adapter.js';
import {
  ACTOR_OPTION_KEYS,
  checkClient,
  checkLogger,
  checkOptionKeys,
  checkOutbox,
  checkWebSocketClass,
  DEFAULTS,
  resolveTimings,
  type ResolvedTimings,
} from '../core/options.js';
import type { Logger, MinchClient, OutboxOptions, WebSocketClass } from '../types.js';
import { CALLBACKS } from './callbacks.js';
import { ClientRuntime } from './clientRuntime.js';
import { Outbox } from './outbox.js';
import * as telemetry from './telemetry.js';

const runtimes = new WeakMap<object, ClientRuntime>();

/** The runtime of a Minch actor (root or spawned) or of a simple connection, or undefined. */
export function runtimeOf(target: object): ClientRuntime | undefined {
  return runtimes.get(target);
}

/** Makes `key` (a simple connection) resolve to the same runtime as `actor`. */
export function bindTarget(key: object, actor: object): void {
  const runtime = runtimes.get(actor);
  if (runtime !== undefined) runtimes.set(key, runtime);
}

/** The machine with its implementations, for every client. */
export const runtimeMachine = minchMachine.provide({
  actors: { environment: environmentLogic },
  actions: {
    run: ({ self }, { callback, args }) => runtimeOf(self)?.run(CALLBACKS[callback], args[0], args[1]),
    openSocket: ({ self }, { generation }) => runtimeOf(self)?.openSocket(generation),
    closeSocket: ({ self }, { code, reason }) => runtimeOf(self)?.closeSocket(code, reason),
    releaseSocket: ({ self }) => runtimeOf(self)?.release(),
    probe: ({ self, context }) => runtimeOf(self)?.probe(context.timings.heartbeat),
    reconnecting: ({ self, context, event }) => {
      const runtime = runtimeOf(self);
      if (runtime !== undefined && event.type === 'callback.reconnect') {
        telemetry.reconnecting(runtime, event.backoffMs, context.attempt);
      }
    },
  },
});

const consoleLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (...args) => console.warn(...args),
  error: (...args) => console.error(...args),
};

/** What `createRuntime` reads of the options; the rest belongs to XState. */
export interface RuntimeOptions {
  connectTimeoutMs?: number;
  closeTimeoutMs?: number;
  heartbeat?: unknown;
  minUptimeMs?: number;
  outbox?: unknown;
  logger?: Logger;
  WebSocket?: unknown;
}

function orThrow<T>(checked: E.Either<string, T>, fn: string, Err: new (message: string) => Error): T {
  if (E.isLeft(checked)) throw new Err(`${fn}: ${checked.left}`);
  return checked.right;
}

/** A client and its options after every check: what each new runtime of that client is built from. */
export interface CheckedClient {
  client: MinchClient<unknown, unknown, unknown>;
  logger: Logger;
  outbox: OutboxOptions | null;
  timings: ResolvedTimings;
  /** The `WebSocket` option; undefined for `isomorphic-ws`. */
  WebSocket: WebSocketClass | undefined;
}

/** Checks a client and its options; throws at once, naming `fn`, on a bad client or option. */
export function checkClientOptions(client: unknown, options: RuntimeOptions, fn: string): CheckedClient {
  const checked = orThrow(checkClient(client), fn, TypeError);
  orThrow(checkOptionKeys(options, ACTOR_OPTION_KEYS), fn, TypeError);
  const logger = options.logger === undefined ? consoleLogger : orThrow(checkLogger(options.logger), fn, TypeError);
  const outbox = orThrow(checkOutbox(options.outbox), fn, RangeError);
  const WebSocket = orThrow(checkWebSocketClass(options.WebSocket), fn, TypeError);
  const canPing = drivesWs(WebSocket);
  const timings = orThrow(
    resolveTimings(options, {
      connectTimeoutMs: DEFAULTS.connectTimeoutMs,
      heartbeat: canPing ? DEFAULTS.heartbeat : false,
      canPing,
      watchEnvironment: !isNodeWs,
    }),
    fn,
    RangeError,
  );
  return { client: checked, logger, outbox, timings, WebSocket };
}

/** A fresh runtime for one instance of a checked client, and the machine's input. */
export function buildRuntime(checked: CheckedClient, initArg: unknown): { input: MinchInput; runtime: ClientRuntime } {
  const runtime = new ClientRuntime(checked.client, checked.logger, checked.WebSocket);
  if (checked.outbox !== null) runtime.outbox = new Outbox(checked.outbox);
  return { input: { initArg, timings: checked.timings }, runtime };
}

/**
 * A fresh runtime for one client instance, and the machine's input.
 * `createMinchActor` runs the machine as a root actor; the supervisor checks
 * each child once and builds a runtime per spawn. Throws at once, naming `fn`,
 * on a bad client or option.
 */
export function createRuntime(client: unknown, initArg: unknown, options: RuntimeOptions, fn: string) {
  return buildRuntime(checkClientOptions(client, options, fn), initArg);
}

/** Connects a runtime to the actor running the machine: send targets, logging, cancellation. */
export function attachRuntime(runtime: ClientRuntime, actor: AnyActorRef, signal?: AbortSignal): void {
  runtime.actor = actor;
  runtimes.set(actor, runtime);
  // The runtime observes its actor: however the actor ends, the runtime halts (see `halt`).
  actor.subscribe(runtime);
  if (runtime.logger !== consoleLogger) logLifecycle(actor, runtime.logger);
  if (signal === undefined) return;
  whenAborted(signal, actor, () => {
    const r: unknown = signal.reason;
    const abortReason = r instanceof Error ? r.name : typeof r === 'string' ? r : 'aborted';
    actor.send({ type: 'user.abort', abortReason });
  });
}

/** Runs `onAbort` once when `signal` aborts (at once if it already has), until `actor` ends. */
export function whenAborted(
  signal: AbortSignal,
  actor: { subscribe(o: { complete(): void; error(): void }): unknown },
  onAbort: () => void,
): void {
  if (signal.aborted) return queueMicrotask(onAbort);
  signal.addEventListener('abort', onAbort, { once: true });
  const forget = (): void => signal.removeEventListener('abort', onAbort);
  actor.subscribe({ complete: forget, error: forget });
}

function logLifecycle(actor: AnyActorRef, logger: Logger): void {
  let last: string | undefined;
  actor.subscribe({
    next: (snapshot: { value: unknown; context: { url: unknown; attempt: number; backoffMs: unknown } }) => {
      const name = stateName(snapshot);
      if (name === last) return;
      last = name;
      const c = snapshot.context;
      logger.debug(`[minch] ${name}`, { url: c.url, attempt: c.attempt, backoffMs: c.backoffMs });
    },
    error: (err: unknown) => logger.error('[minch] the client actor failed', err instanceof Error ? err.message : err),
  });
}
