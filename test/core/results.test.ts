import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import { allowedResults, reduceResult, type Effect, type Reduced } from '../../src/core/results.js';
import type { CallbackName, MinchError } from '../../src/types.js';

const PREV = { n: 0 };
const NEXT = { n: 1 };

const right = <S>(r: E.Either<MinchError, Reduced<S>>): Reduced<S> => {
  if (E.isLeft(r)) throw new Error(`expected Right, got Left ${JSON.stringify(r.left)}`);
  return r.right;
};

/** Asserts an invalid_result Left for `callback` and returns its message. */
const invalidResult = <S>(r: E.Either<MinchError, Reduced<S>>, callback: CallbackName): string => {
  if (E.isRight(r)) throw new Error(`expected Left, got Right ${JSON.stringify(r.right)}`);
  expect(r.left).toEqual({ type: 'invalid_result', callback, message: expect.any(String) });
  expect(r.left.message).toContain(callback);
  return r.left.message;
};

const MAY_REPLY: CallbackName[] = ['handleFrame', 'handleInfo', 'handleConnect', 'handleError'];

describe('allowedResults', () => {
  it.each<[CallbackName, string[]]>([
    ['init', ['ok', 'stop']],
    ['handleConnect', ['ok', 'reply', 'close', 'stop']],
    ['handleFrame', ['ok', 'reply', 'close', 'stop']],
    ['handleInfo', ['ok', 'reply', 'close', 'stop']],
    ['handleError', ['ok', 'reply', 'close', 'stop']],
    ['handleDisconnect', ['reconnect', 'stop']],
  ])('%s may return %j', (callback, types) => {
    expect([...allowedResults[callback]].sort()).toEqual([...types].sort());
  });
});

describe.each(MAY_REPLY)('reduceResult for %s', (callback) => {
  it.each<[string, unknown, Reduced<unknown>]>([
    ['ok keeps the new state, no effects', { type: 'ok', state: NEXT }, { state: NEXT, effects: [] }],
    [
      'ok with an explicit undefined state keeps it',
      { type: 'ok', state: undefined },
      { state: undefined, effects: [] },
    ],
    [
      'reply with a single frame sends it',
      { type: 'reply', frames: { type: 'text', data: 'hi' }, state: NEXT },
      { state: NEXT, effects: [{ type: 'send', frames: [{ type: 'text', data: 'hi' }] }] },
    ],
    [
      'reply with an array sends all, in order',
      {
        type: 'reply',
        frames: [
          { type: 'text', data: 'a' },
          { type: 'binary', data: new Uint8Array([1, 2]) },
        ],
        state: NEXT,
      },
      {
        state: NEXT,
        effects: [
          {
            type: 'send',
            frames: [
              { type: 'text', data: 'a' },
              { type: 'binary', data: new Uint8Array([1, 2]) },
            ],
          },
        ],
      },
    ],
    [
      "reply with shorthand 'ping' sends a ping frame",
      { type: 'reply', frames: 'ping', state: NEXT },
      { state: NEXT, effects: [{ type: 'send', frames: [{ type: 'ping' }] }] },
    ],
    [
      'reply with string ping data sends it encoded',
      { type: 'reply', frames: { type: 'ping', data: 'hi' }, state: NEXT },
      { state: NEXT, effects: [{ type: 'send', frames: [{ type: 'ping', data: new Uint8Array([104, 105]) }] }] },
    ],
    [
      'reply with an empty array has no effects',
      { type: 'reply', frames: [], state: NEXT },
      { state: NEXT, effects: [] },
    ],
    [
      'reply ending with a close frame sends the frames before it, then closes',
      {
        type: 'reply',
        frames: [
          { type: 'text', data: 'bye' },
          { type: 'close', code: 3001, reason: 'done' },
        ],
        state: NEXT,
      },
      {
        state: NEXT,
        effects: [
          { type: 'send', frames: [{ type: 'text', data: 'bye' }] },
          { type: 'close', code: 3001, reason: 'done' },
        ],
      },
    ],
    [
      "reply ending with shorthand 'close' closes with 1000 and ''",
      { type: 'reply', frames: [{ type: 'text', data: 'a' }, 'pong', 'close'], state: NEXT },
      {
        state: NEXT,
        effects: [
          { type: 'send', frames: [{ type: 'text', data: 'a' }, { type: 'pong' }] },
          { type: 'close', code: 1000, reason: '' },
        ],
      },
    ],
    [
      'reply with only a close frame closes without a send effect',
      { type: 'reply', frames: { type: 'close', code: 4000 }, state: NEXT },
      { state: NEXT, effects: [{ type: 'close', code: 4000, reason: '' }] },
    ],
    [
      'close without code or reason defaults to 1000 and an empty reason',
      { type: 'close', state: NEXT },
      { state: NEXT, effects: [{ type: 'close', code: 1000, reason: '' }] },
    ],
    [
      'close with a reason but no code uses 1000',
      { type: 'close', reason: 'bye', state: NEXT },
      { state: NEXT, effects: [{ type: 'close', code: 1000, reason: 'bye' }] },
    ],
    [
      'close with code 3000 and a reason',
      { type: 'close', code: 3000, reason: 'later', state: NEXT },
      { state: NEXT, effects: [{ type: 'close', code: 3000, reason: 'later' }] },
    ],
    [
      'close with code 4999 and a 123-byte reason',
      { type: 'close', code: 4999, reason: 'r'.repeat(123), state: NEXT },
      { state: NEXT, effects: [{ type: 'close', code: 4999, reason: 'r'.repeat(123) }] },
    ],
    [
      "stop without a reason stops with reason 'normal'",
      { type: 'stop', state: NEXT },
      { state: NEXT, effects: [{ type: 'stop', reason: 'normal' }] },
    ],
    [
      'stop with a reason keeps it',
      { type: 'stop', reason: { why: 'done' }, state: NEXT },
      { state: NEXT, effects: [{ type: 'stop', reason: { why: 'done' } }] },
    ],
  ])('%s', (_name, result, expected) => {
    expect(right(reduceResult(callback, result, PREV))).toEqual(expected);
  });

  it.each<[string, unknown, string]>([
    ["'reconnect'", { type: 'reconnect', backoff: 100, state: NEXT }, 'reconnect'],
    ['an unknown type', { type: 'bogus', state: NEXT }, 'bogus'],
    ['ok without a state field', { type: 'ok' }, 'state'],
    ['reply without a state field', { type: 'reply', frames: 'ping' }, 'state'],
    ['close without a state field', { type: 'close', code: 1000 }, 'state'],
    ['stop without a state field', { type: 'stop', reason: 'x' }, 'state'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['a number', 42, '42'],
    ["the string 'ok'", 'ok', 'ok'],
    ['an object without type', { state: NEXT }, 'ok'],
    ['an object with a numeric type', { type: 1, state: NEXT }, 'ok'],
    [
      'reply containing an invalid frame',
      {
        type: 'reply',
        frames: [
          { type: 'text', data: 'a' },
          { type: 'text', data: 42 },
        ],
        state: NEXT,
      },
      'string',
    ],
    [
      'reply with an oversize ping',
      { type: 'reply', frames: { type: 'ping', data: new Uint8Array(126) }, state: NEXT },
      '125',
    ],
    ['reply without frames', { type: 'reply', state: NEXT }, 'frame'],
    [
      'reply with frames after a close frame',
      { type: 'reply', frames: ['close', { type: 'text', data: 'late' }], state: NEXT },
      'after a close',
    ],
    [
      'reply with a close frame carrying code 1001',
      { type: 'reply', frames: [{ type: 'close', code: 1001 }], state: NEXT },
      '3000',
    ],
    ['close with code 1001', { type: 'close', code: 1001, state: NEXT }, '3000'],
    ['close with code 1005', { type: 'close', code: 1005, state: NEXT }, '3000'],
    ['close with code 5000', { type: 'close', code: 5000, state: NEXT }, '3000'],
    ['close with a non-integer code', { type: 'close', code: 3000.5, state: NEXT }, '3000'],
    ['close with a string code', { type: 'close', code: '1000', state: NEXT }, '3000'],
    ['close with a 124-byte reason', { type: 'close', code: 1000, reason: 'r'.repeat(124), state: NEXT }, '123'],
    ['close with a non-string reason', { type: 'close', code: 1000, reason: 7, state: NEXT }, 'string'],
  ])('refuses %s with an invalid_result Left', (_name, result, mentioned) => {
    expect(invalidResult(reduceResult(callback, result, PREV), callback)).toContain(mentioned);
  });
});

describe('reduceResult for handleDisconnect', () => {
  it.each<[string, unknown, Reduced<unknown>]>([
    [
      'reconnect with backoff 0 reconnects at once',
      { type: 'reconnect', backoff: 0, state: NEXT },
      { state: NEXT, effects: [{ type: 'reconnect', backoffMs: 0 }] },
    ],
    [
      'reconnect with backoff 1500',
      { type: 'reconnect', backoff: 1500, state: NEXT },
      { state: NEXT, effects: [{ type: 'reconnect', backoffMs: 1500 }] },
    ],
    [
      'reconnect with a fractional backoff is rounded',
      { type: 'reconnect', backoff: 99.6, state: NEXT },
      { state: NEXT, effects: [{ type: 'reconnect', backoffMs: 100 }] },
    ],
    [
      "stop without a reason stops with 'normal'",
      { type: 'stop', state: NEXT },
      { state: NEXT, effects: [{ type: 'stop', reason: 'normal' }] },
    ],
    [
      'stop with a reason keeps it',
      { type: 'stop', reason: 'gave up', state: NEXT },
      { state: NEXT, effects: [{ type: 'stop', reason: 'gave up' }] },
    ],
  ])('%s', (_name, result, expected) => {
    expect(right(reduceResult('handleDisconnect', result, PREV))).toEqual(expected);
  });

  it.each<[string, unknown, string]>([
    ['a negative backoff', { type: 'reconnect', backoff: -1, state: NEXT }, 'backoff'],
    ['a NaN backoff', { type: 'reconnect', backoff: Number.NaN, state: NEXT }, 'backoff'],
    ['an infinite backoff', { type: 'reconnect', backoff: Number.POSITIVE_INFINITY, state: NEXT }, 'backoff'],
    ['a string backoff', { type: 'reconnect', backoff: '100', state: NEXT }, 'backoff'],
    ['a missing backoff', { type: 'reconnect', state: NEXT }, 'backoff'],
    ["'ok'", { type: 'ok', state: NEXT }, 'ok'],
    ["'reply'", { type: 'reply', frames: 'ping', state: NEXT }, 'reply'],
    ["'close'", { type: 'close', state: NEXT }, 'close'],
    ['reconnect without a state field', { type: 'reconnect', backoff: 100 }, 'state'],
    ['undefined', undefined, 'reconnect'],
  ])('refuses %s with an invalid_result Left', (_name, result, mentioned) => {
    expect(invalidResult(reduceResult('handleDisconnect', result, PREV), 'handleDisconnect')).toContain(mentioned);
  });
});

describe('reduceResult for init', () => {
  it.each<[string, unknown, Reduced<unknown>]>([
    ['ok sets the initial state', { type: 'ok', state: NEXT }, { state: NEXT, effects: [] }],
    [
      'stop without a state keeps the previous state',
      { type: 'stop', reason: 'no config' },
      { state: PREV, effects: [{ type: 'stop', reason: 'no config' }] },
    ],
    [
      "stop without state or reason stops with 'normal'",
      { type: 'stop' },
      { state: PREV, effects: [{ type: 'stop', reason: 'normal' }] },
    ],
    [
      'stop with a state uses it',
      { type: 'stop', reason: 'x', state: NEXT },
      { state: NEXT, effects: [{ type: 'stop', reason: 'x' }] },
    ],
  ])('%s', (_name, result, expected) => {
    expect(right(reduceResult('init', result, PREV))).toEqual(expected);
  });

  it.each<[string, unknown, string]>([
    ["'reply'", { type: 'reply', frames: 'ping', state: NEXT }, 'reply'],
    ["'close'", { type: 'close', state: NEXT }, 'close'],
    ["'reconnect'", { type: 'reconnect', backoff: 0, state: NEXT }, 'reconnect'],
    ['ok without a state field', { type: 'ok' }, 'state'],
    ['null', null, 'null'],
  ])('refuses %s with an invalid_result Left', (_name, result, mentioned) => {
    expect(invalidResult(reduceResult('init', result, PREV), 'init')).toContain(mentioned);
  });
});

describe('reduceResult does not mutate its input', () => {
  it('leaves the result object and its frames untouched', () => {
    const frames = [{ type: 'text' as const, data: 'a' }, 'close' as const];
    const result = { type: 'reply', frames, state: NEXT };
    const snapshot = JSON.stringify(result);
    const reduced = right(reduceResult('handleFrame', result, PREV));
    expect(JSON.stringify(result)).toBe(snapshot);
    const effects: readonly Effect[] = reduced.effects;
    expect(effects).toHaveLength(2);
  });
});
