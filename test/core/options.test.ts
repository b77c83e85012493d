import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, resolveTimings, type ResolvedTimings } from '../../src/core/options.js';

const NODE_DEFAULTS = { connectTimeoutMs: 10_000, heartbeat: { intervalMs: 20_000, timeoutMs: 20_000 } };
const BROWSER_DEFAULTS = { connectTimeoutMs: 10_000, heartbeat: false as const };

const right = (r: E.Either<string, ResolvedTimings>): ResolvedTimings => {
  if (E.isLeft(r)) throw new Error(`expected Right, got Left ${r.left}`);
  return r.right;
};
const left = (r: E.Either<string, ResolvedTimings>): string => {
  if (E.isRight(r)) throw new Error(`expected Left, got Right ${JSON.stringify(r.right)}`);
  expect(typeof r.left).toBe('string');
  return r.left;
};

describe('DEFAULTS', () => {
  // docs/behaviour.md §5.4, §9.2, §10.1
  it('are: close timeout 5000, heartbeat 20000/20000, simple connect timeout 30000', () => {
    expect(DEFAULTS.closeTimeoutMs).toBe(5_000);
    expect(DEFAULTS.heartbeat).toEqual({ intervalMs: 20_000, timeoutMs: 20_000 });
    expect(DEFAULTS.simpleConnectTimeoutMs).toBe(30_000);
    expect(DEFAULTS.minUptimeMs).toBe(0);
  });
});

describe('resolveTimings', () => {
  it.each<[string, Parameters<typeof resolveTimings>[0], Parameters<typeof resolveTimings>[1], ResolvedTimings]>([
    [
      'no options take the Node defaults',
      {},
      NODE_DEFAULTS,
      {
        connectTimeoutMs: 10_000,
        closeTimeoutMs: 5_000,
        heartbeat: { intervalMs: 20_000, timeoutMs: 20_000 },
        minUptimeMs: 0,
      },
    ],
    [
      'no options in a browser leave the heartbeat off',
      {},
      BROWSER_DEFAULTS,
      { connectTimeoutMs: 10_000, closeTimeoutMs: 5_000, heartbeat: false, minUptimeMs: 0 },
    ],
    [
      'the runtime default connect timeout is used when none is given',
      {},
      { connectTimeoutMs: 30_000, heartbeat: false },
      { connectTimeoutMs: 30_000, closeTimeoutMs: 5_000, heartbeat: false, minUptimeMs: 0 },
    ],
    [
      'explicit undefined options take the defaults',
      { connectTimeoutMs: undefined, closeTimeoutMs: undefined, heartbeat: undefined, minUptimeMs: undefined },
      NODE_DEFAULTS,
      {
        connectTimeoutMs: 10_000,
        closeTimeoutMs: 5_000,
        heartbeat: { intervalMs: 20_000, timeoutMs: 20_000 },
        minUptimeMs: 0,
      },
    ],
    [
      'given values override the defaults',
      { connectTimeoutMs: 1234, closeTimeoutMs: 250, minUptimeMs: 2000 },
      NODE_DEFAULTS,
      {
        connectTimeoutMs: 1234,
        closeTimeoutMs: 250,
        heartbeat: { intervalMs: 20_000, timeoutMs: 20_000 },
        minUptimeMs: 2000,
      },
    ],
    [
      'zero timeouts are allowed',
      { connectTimeoutMs: 0, closeTimeoutMs: 0, minUptimeMs: 0 },
      NODE_DEFAULTS,
      { connectTimeoutMs: 0, closeTimeoutMs: 0, heartbeat: { intervalMs: 20_000, timeoutMs: 20_000 }, minUptimeMs: 0 },
    ],
    [
      'the largest timer delay (2147483647) is allowed',
      { connectTimeoutMs: 2_147_483_647 },
      BROWSER_DEFAULTS,
      { connectTimeoutMs: 2_147_483_647, closeTimeoutMs: 5_000, heartbeat: false, minUptimeMs: 0 },
    ],
    [
      'heartbeat false turns the Node heartbeat off',
      { heartbeat: false },
      NODE_DEFAULTS,
      { connectTimeoutMs: 10_000, closeTimeoutMs: 5_000, heartbeat: false, minUptimeMs: 0 },
    ],
    [
      'a heartbeat object is used as given',
      { heartbeat: { intervalMs: 1000, timeoutMs: 500 } },
      NODE_DEFAULTS,
      {
        connectTimeoutMs: 10_000,
        closeTimeoutMs: 5_000,
        heartbeat: { intervalMs: 1000, timeoutMs: 500 },
        minUptimeMs: 0,
      },
    ],
    [
      'a heartbeat object turns the browser heartbeat on',
      { heartbeat: { intervalMs: 30_000, timeoutMs: 10_000 } },
      BROWSER_DEFAULTS,
      {
        connectTimeoutMs: 10_000,
        closeTimeoutMs: 5_000,
        heartbeat: { intervalMs: 30_000, timeoutMs: 10_000 },
        minUptimeMs: 0,
      },
    ],
  ])('%s', (_name, options, defaults, expected) => {
    expect(right(resolveTimings(options, defaults))).toEqual(expected);
  });

  it.each<[string, Parameters<typeof resolveTimings>[0], string]>([
    ['connectTimeoutMs -1', { connectTimeoutMs: -1 }, 'connectTimeoutMs'],
    ['connectTimeoutMs NaN', { connectTimeoutMs: Number.NaN }, 'connectTimeoutMs'],
    ["connectTimeoutMs 'x'", { connectTimeoutMs: 'x' }, 'connectTimeoutMs'],
    ['connectTimeoutMs Infinity', { connectTimeoutMs: Number.POSITIVE_INFINITY }, 'connectTimeoutMs'],
    ['connectTimeoutMs above the timer limit', { connectTimeoutMs: 2_147_483_648 }, 'connectTimeoutMs'],
    ['connectTimeoutMs null', { connectTimeoutMs: null }, 'connectTimeoutMs'],
    ['closeTimeoutMs -5', { closeTimeoutMs: -5 }, 'closeTimeoutMs'],
    ["closeTimeoutMs '100'", { closeTimeoutMs: '100' }, 'closeTimeoutMs'],
    ['minUptimeMs NaN', { minUptimeMs: Number.NaN }, 'minUptimeMs'],
    ['minUptimeMs -1', { minUptimeMs: -1 }, 'minUptimeMs'],
    ['heartbeat.intervalMs 0', { heartbeat: { intervalMs: 0, timeoutMs: 1000 } }, 'heartbeat.intervalMs'],
    ['heartbeat.intervalMs negative', { heartbeat: { intervalMs: -100, timeoutMs: 1000 } }, 'heartbeat.intervalMs'],
    ['heartbeat.intervalMs missing', { heartbeat: { timeoutMs: 1000 } }, 'heartbeat.intervalMs'],
    ["heartbeat.intervalMs 'x'", { heartbeat: { intervalMs: 'x', timeoutMs: 1000 } }, 'heartbeat.intervalMs'],
    ['heartbeat.timeoutMs 0', { heartbeat: { intervalMs: 1000, timeoutMs: 0 } }, 'heartbeat.timeoutMs'],
    ['heartbeat.timeoutMs NaN', { heartbeat: { intervalMs: 1000, timeoutMs: Number.NaN } }, 'heartbeat.timeoutMs'],
    ['heartbeat.timeoutMs missing', { heartbeat: { intervalMs: 1000 } }, 'heartbeat.timeoutMs'],
    ['heartbeat true', { heartbeat: true }, 'heartbeat'],
    ['heartbeat null', { heartbeat: null }, 'heartbeat'],
    ['heartbeat a number', { heartbeat: 1000 }, 'heartbeat'],
  ])('rejects %s with a message naming the option', (_name, options, mentioned) => {
    expect(left(resolveTimings(options, NODE_DEFAULTS))).toContain(mentioned);
  });

  it.each<[string, unknown, string]>([
    ['no frame', { intervalMs: 1000, timeoutMs: 500 }, 'heartbeat needs a frame in browsers'],
    ['a ping frame', { intervalMs: 1000, timeoutMs: 500, frame: 'ping' }, 'cannot be a ping in browsers'],
    ['a pong frame', { intervalMs: 1000, timeoutMs: 500, frame: { type: 'pong' } }, 'cannot be a pong in browsers'],
  ])('rejects a browser heartbeat with %s: browsers send data frames only', (_name, heartbeat, message) => {
    expect(left(resolveTimings({ heartbeat }, { ...BROWSER_DEFAULTS, canPing: false }))).toContain(message);
  });

  it('accepts a browser heartbeat with a text frame', () => {
    const heartbeat = { intervalMs: 1000, timeoutMs: 500, frame: { type: 'text', data: 'ping' } };
    expect(right(resolveTimings({ heartbeat }, { ...BROWSER_DEFAULTS, canPing: false })).heartbeat).toEqual(heartbeat);
  });

  it('does not mutate the defaults object it was given', () => {
    const defaults = { connectTimeoutMs: 10_000, heartbeat: { intervalMs: 20_000, timeoutMs: 20_000 } };
    right(resolveTimings({ heartbeat: { intervalMs: 5, timeoutMs: 6 } }, defaults));
    expect(defaults).toEqual({ connectTimeoutMs: 10_000, heartbeat: { intervalMs: 20_000, timeoutMs: 20_000 } });
  });
});
