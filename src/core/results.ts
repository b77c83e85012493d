/**
 * The callback-result reducer (pure): turns what a user callback returned into
 * the new user state and a list of effects, as data. The runtime and the
 * statechart carry the effects out; nothing here touches a socket.
 */
import * as E from './either.js';
import type { CallbackName, Frame, MinchError } from '../types.js';
import { invalidResult } from './errors.js';
import { describe, normalizeFrames, validateClose } from './frames.js';
import { DEFAULTS } from './options.js';

/** What a callback result asks the engine to do. */
export type Effect =
  | { type: 'send'; frames: Frame[] }
  | { type: 'close'; code: number; reason: string }
  | { type: 'stop'; reason: unknown }
  | { type: 'reconnect'; backoffMs: number };

export interface Reduced<State> {
  state: State;
  effects: readonly Effect[];
}

/** Which result types each callback may return. */
export const allowedResults: Record<CallbackName, readonly string[]> = {
  init: ['ok', 'stop'],
  connect: [],
  handleConnect: ['ok', 'reply', 'close', 'stop'],
  handleFrame: ['ok', 'reply', 'close', 'stop'],
  handleInfo: ['ok', 'reply', 'close', 'stop'],
  handleError: ['ok', 'reply', 'close', 'stop'],
  handleDisconnect: ['reconnect', 'stop'],
  terminate: [],
};

const NO_EFFECTS: readonly Effect[] = Object.freeze([]);

const invalid = (callback: CallbackName, message: string): E.Either<MinchError, never> =>
  E.left(invalidResult(callback, message));

/**
 * Reduces a callback's result. `previous` is the state before the call; a
 * `stop` result from `init` has none of its own and keeps it.
 *
 * @example reduceResult('handleFrame', { type: 'ok', state: 1 }, 0) // Right({ state: 1, effects: [] })
 */
export function reduceResult<State>(
  callback: CallbackName,
  result: unknown,
  previous: State,
): E.Either<MinchError, Reduced<State>> {
  const allowed = allowedResults[callback];
  if (typeof result !== 'object' || result === null || typeof (result as { type?: unknown }).type !== 'string') {
    return invalid(
      callback,
      `${describe(result)}; expected one of { type: ${allowed.map((t) => `'${t}'`).join(' | ')}, ... }`,
    );
  }
  const r = result as {
    type: string;
    state?: State;
    frames?: unknown;
    code?: unknown;
    reason?: unknown;
    backoff?: unknown;
  };
  if (!allowed.includes(r.type)) {
    return invalid(
      callback,
      `{ type: '${r.type.slice(0, 20)}' }, which it may not; expected ${allowed.map((t) => `'${t}'`).join(' | ')}`,
    );
  }
  const hasState = 'state' in r;
  if (!hasState && !(callback === 'init' && r.type === 'stop')) {
    return invalid(callback, `{ type: '${r.type}' } without a state field`);
  }
  const state = (hasState ? r.state : previous) as State;
  switch (r.type) {
    case 'ok':
      return E.right({ state, effects: NO_EFFECTS });
    case 'stop':
      return E.right({ state, effects: [{ type: 'stop', reason: r.reason === undefined ? 'normal' : r.reason }] });
    case 'close': {
      const code = r.code === undefined ? DEFAULTS.closeCode : r.code;
      const checked = validateClose(code as number, (r.reason ?? '') as string);
      if (E.isLeft(checked))
        return invalid(
          callback,
          `an invalid close: ${checked.left.type === 'invalid_frame' ? checked.left.message : ''}`,
        );
      return E.right({ state, effects: [{ type: 'close', code: code as number, reason: (r.reason ?? '') as string }] });
    }
    case 'reply': {
      const frames = normalizeFrames(r.frames);
      if (E.isLeft(frames))
        return invalid(
          callback,
          `an invalid reply: ${frames.left.type === 'invalid_frame' ? frames.left.message : ''}`,
        );
      return E.map((effects: readonly Effect[]) => ({ state, effects }))(replyEffects(callback, frames.right));
    }
    case 'reconnect': {
      const ms = r.backoff;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        return invalid(callback, `a reconnect with backoff ${describe(ms)}; expected a number of milliseconds >= 0`);
      }
      return E.right({ state, effects: [{ type: 'reconnect', backoffMs: Math.round(ms) }] });
    }
    default:
      return invalid(callback, `an unknown result type`);
  }
}

/** A reply may end with a close frame; frames after it could never be sent. */
function replyEffects(callback: CallbackName, frames: Frame[]): E.Either<MinchError, readonly Effect[]> {
  const closeAt = frames.findIndex((f) => f.type === 'close');
  if (closeAt === -1) return E.right(frames.length === 0 ? NO_EFFECTS : [{ type: 'send', frames }]);
  if (closeAt !== frames.length - 1) return invalid(callback, 'a reply with frames after a close frame');
  const close = frames[closeAt] as { type: 'close'; code?: number; reason?: string };
  const before = frames.slice(0, closeAt);
  const effects: Effect[] = before.length > 0 ? [{ type: 'send', frames: before }] : [];
  effects.push({ type: 'close', code: close.code ?? DEFAULTS.closeCode, reason: close.reason ?? '' });
  return E.right(effects);
}
