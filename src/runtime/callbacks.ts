/**
 * The callback table: each user callback named once, with how it is called
 * (or its default when the client leaves it out), how its result becomes
 * effects, and what happens when it throws or returns something invalid.
 * The equivalent of Elixir Minch's single `callback/3`.
 *
 * Effects reach the machine as `callback.*` events, or the open socket as
 * frames. The mailbox calls `call`, then `done` with the (awaited) result,
 * then `failed` if either went wrong; nothing here awaits or queues.
 */
import * as E from '../core/either.js';
import { backoff } from '../core/backoff.js';
import { invalidResult, NOT_CONNECTED_ERROR, sendError } from '../core/errors.js';
import { reduceResult, type Effect } from '../core/results.js';
import { resolveTarget } from '../core/target.js';
import type { CallbackName, DisconnectReason, Frame, MinchError, Self } from '../types.js';
import type { ClientRuntime } from './clientRuntime.js';
import * as telemetry from './telemetry.js';

/** `self`, handed to every callback: methods on a prototype, no closures per client. */
export class ClientSelf implements Self<unknown> {
  readonly #runtime: ClientRuntime;
  constructor(runtime: ClientRuntime) {
    this.#runtime = runtime;
  }
  sendInfo(message: unknown): void {
    this.#runtime.send({ type: 'user.info', message });
  }
  sendAfter(message: unknown, delayMs: number): () => void {
    if (typeof delayMs !== 'number' || !(delayMs >= 0)) {
      throw new RangeError(`sendAfter: delayMs must be a number >= 0, got ${String(delayMs)}`);
    }
    const runtime = this.#runtime;
    const id = `minch.info.${++runtime.timers}`;
    runtime.send({ type: 'user.sendAfter', id, message, delayMs });
    return () => runtime.send({ type: 'user.cancelTimer', id });
  }
}

export interface Callback {
  readonly name: CallbackName;
  /** Runs when the machine asks for the callback, before it is queued. */
  queued?(host: ClientRuntime, a: unknown, b: unknown): void;
  /** Calls the user's callback with the job's arguments, or returns its default result. */
  call(host: ClientRuntime, a: unknown, b: unknown): unknown;
  /** Applies the (awaited) result; returns an error when the result is invalid. */
  done(host: ClientRuntime, result: unknown, a: unknown, b: unknown): MinchError | undefined;
  /** The callback threw, rejected, or returned something invalid. */
  failed(host: ClientRuntime, error: MinchError, a: unknown, b: unknown): void;
}

const ok = (state: unknown) => ({ type: 'ok', state }) as const;

function isOk(v: unknown): v is { type: 'ok'; state: unknown } {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'ok' && 'state' in v;
}

/**
 * Applies a callback result through the reducer: the new state, then its effects in order. With
 * `logOnly` (handleError's own result), what an effect fails to do is logged, never reported to
 * handleError again: one that replies while the client is not open would otherwise call itself
 * without end.
 */
function applyResult(
  host: ClientRuntime,
  name: CallbackName,
  result: unknown,
  logOnly = false,
): MinchError | undefined {
  const reduced = reduceResult(name, result, host.state);
  if (E.isLeft(reduced)) return reduced.left;
  host.state = reduced.right.state;
  for (const effect of reduced.right.effects) applyEffect(host, effect, logOnly);
  return undefined;
}

/** An effect failed: `handleError` hears of it, unless it was `handleError`'s own (then it is logged). */
function fail(host: ClientRuntime, logOnly: boolean, error: MinchError): void {
  if (logOnly) host.logger.warn(`[minch] ${error.message}`);
  else host.reportError(error);
}

function applyEffect(host: ClientRuntime, effect: Effect, logOnly: boolean): void {
  switch (effect.type) {
    case 'send':
      for (const frame of effect.frames) {
        const written = host.write(frame);
        if (E.isLeft(written)) {
          const why = written.left.type === 'not_connected' ? 'the client is not connected' : written.left.message;
          fail(host, logOnly, sendError(`a ${frame.type} frame was not sent: ${why}`, written.left));
        }
      }
      return;
    case 'close':
      if (!host.isOpen) {
        fail(host, logOnly, sendError('a close result was ignored: the client is not connected', NOT_CONNECTED_ERROR));
        return;
      }
      host.send({ type: 'callback.close', code: effect.code, reason: effect.reason });
      return;
    case 'stop':
      host.send({ type: 'callback.stop', reason: effect.reason });
      return;
    case 'reconnect':
      host.reconnect(effect.backoffMs);
      return;
  }
}

/**
 * Callbacks whose result is a callback result, and whose failure goes to `handleError`. The common
 * answer on the frame path, `{ type: 'ok', state }`, needs no reducer and no allocation.
 * `logOnly`: see `applyResult`.
 */
function handler(name: CallbackName, call: Callback['call'], logOnly = false): Callback {
  return {
    name,
    call,
    done(host, result) {
      if (!isOk(result)) return applyResult(host, name, result, logOnly);
      host.state = result.state;
      return undefined;
    },
    failed: (host, error) => host.reportError(error),
  };
}

export const CALLBACKS: Record<CallbackName, Callback> = {
  init: {
    name: 'init',
    call: (host, initArg) => (host.client.init === undefined ? ok(initArg) : host.client.init(initArg, host.self)),
    done(host, result) {
      const reduced = reduceResult('init', result, host.state);
      if (E.isLeft(reduced)) return reduced.left;
      host.initialised(reduced.right.state);
      const stop = reduced.right.effects[0];
      host.send(
        stop?.type === 'stop'
          ? { type: 'callback.stop', reason: stop.reason }
          : { type: 'callback.initialised', state: reduced.right.state },
      );
      return undefined;
    },
    failed(host, error) {
      host.logger.error(`[minch] ${error.message}; the client stops`);
      host.send({ type: 'callback.stop', reason: { type: error.type, callback: 'init', message: error.message } });
    },
  },

  connect: {
    name: 'connect',
    queued: (host) => telemetry.attemptStarting(host),
    call: (host) => host.client.connect(host.state, host.self),
    done(host, result, generation) {
      const target = resolveTarget(result);
      if (E.isLeft(target)) return invalidResult('connect', target.left);
      host.useTarget(target.right, generation as number);
      host.send({ type: 'callback.target', generation: generation as number, url: target.right.safeUrl });
      return undefined;
    },
    failed(host, error, generation) {
      host.reportError(error);
      const reason: DisconnectReason = { type: 'connect_error', reason: 'invalid_target', message: error.message };
      host.send({ type: 'callback.targetFailed', generation: generation as number, reason });
    },
  },

  handleConnect: handler('handleConnect', (host, response) => {
    const c = host.client;
    return c.handleConnect === undefined ? ok(host.state) : c.handleConnect(response as never, host.state, host.self);
  }),

  handleFrame: handler('handleFrame', (host, frame) => host.client.handleFrame(frame as Frame, host.state, host.self)),

  handleInfo: handler('handleInfo', (host, message) => {
    const c = host.client;
    return c.handleInfo === undefined ? ok(host.state) : c.handleInfo(message, host.state, host.self);
  }),

  handleError: {
    ...handler(
      'handleError',
      (host, error) => {
        const c = host.client;
        if (c.handleError !== undefined) return c.handleError(error as MinchError, host.state, host.self);
        // The default: a warning without payloads.
        const e = error as MinchError;
        host.logger.warn(`[minch] ${e.type} in ${'callback' in e ? e.callback : 'send'}: ${e.message}`);
        return ok(host.state);
      },
      true,
    ),
    // Never recursive: a failing handleError is logged, not reported to itself.
    failed: (host, error, original) =>
      host.logger.error(`[minch] ${error.message} while handling: ${(original as MinchError).message}`),
  },

  handleDisconnect: {
    name: 'handleDisconnect',
    queued: (host, reason, attempt) => telemetry.ended(host, reason as DisconnectReason, attempt as number),
    call(host, reason, attempt) {
      const c = host.client;
      if (c.handleDisconnect === undefined)
        return { type: 'reconnect', backoff: backoff(attempt as number), state: host.state };
      return c.handleDisconnect(reason as DisconnectReason, attempt as number, host.state, host.self);
    },
    // handleDisconnect may not answer ok: its answer always goes through the reducer, which says so.
    done: (host, result) => applyResult(host, 'handleDisconnect', result),
    // The default decision applies: reconnect after backoff(attempt).
    failed(host, error, _reason, attempt) {
      host.reportError(error);
      host.reconnect(backoff(attempt as number));
    },
  },

  terminate: {
    name: 'terminate',
    queued(host, reason) {
      host.dropOutbox();
      telemetry.stopped(host, reason);
    },
    call(host, reason) {
      host.finish();
      const c = host.client;
      return c.terminate === undefined ? undefined : c.terminate(reason, host.state, host.self);
    },
    done(host) {
      host.send({ type: 'callback.terminated' });
      return undefined;
    },
    failed(host, error) {
      host.logger.error(`[minch] ${error.message}`);
      host.send({ type: 'callback.terminated' });
    },
  },
};
