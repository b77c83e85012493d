import { describe, expect, it } from 'vitest';
import { backoff, BACKOFF_DEFAULTS, nextAttempt } from '../../src/core/backoff.js';

describe('backoff', () => {
  it('has the defaults of docs/behaviour.md §4.4: min 200, max 30000, factor 2', () => {
    expect(BACKOFF_DEFAULTS).toEqual({ min: 200, max: 30_000, factor: 2 });
  });

  // docs/behaviour.md §4.4: 1..20 → 200, 800, 1800, 3200, 5000, …, 28800, 30000…
  const defaultTable: Array<[number, number]> = [
    [1, 200],
    [2, 800],
    [3, 1800],
    [4, 3200],
    [5, 5000],
    [6, 7200],
    [7, 9800],
    [8, 12800],
    [9, 16200],
    [10, 20000],
    [11, 24200],
    [12, 28800],
    [13, 30000],
    [14, 30000],
    [15, 30000],
    [16, 30000],
    [17, 30000],
    [18, 30000],
    [19, 30000],
    [20, 30000],
  ];

  it.each(defaultTable)('with default options, attempt %i waits exactly %i ms', (attempt, expected) => {
    expect(backoff(attempt)).toBe(expected);
    expect(backoff(attempt, {})).toBe(expected);
  });

  // docs/behaviour.md §4.4: min 100, max 10000, factor 1.5 → 100, 283, 520, 800, 1118, …
  const customTable: Array<[number, number]> = [
    [1, 100],
    [2, 283],
    [3, 520],
    [4, 800],
    [5, 1118],
    [6, 1470],
    [7, 1852],
    [8, 2263],
    [9, 2700],
    [10, 3162],
    [11, 3648],
    [12, 4157],
    [13, 4687],
    [14, 5238],
    [15, 5809],
    [16, 6400],
    [17, 7009],
    [18, 7637],
    [19, 8282],
    [20, 8944],
    [25, 10000],
    [100, 10000],
  ];

  it.each(customTable)('with min 100, max 10000, factor 1.5, attempt %i waits exactly %i ms', (attempt, expected) => {
    expect(backoff(attempt, { min: 100, max: 10_000, factor: 1.5 })).toBe(expected);
  });

  it.each([
    ['only min given', { min: 50 }, 3, 450],
    ['only max given', { max: 1000 }, 3, 1000],
    ['only factor given', { factor: 1 }, 3, 600],
    ['factor 0 gives a constant delay', { factor: 0 }, 7, 200],
  ] as const)('falls back to defaults for missing options (%s)', (_name, options, attempt, expected) => {
    expect(backoff(attempt, options)).toBe(expected);
  });

  it('gives 0 ms for attempt 0', () => {
    expect(backoff(0)).toBe(0);
  });

  describe('jitter', () => {
    it.each([
      [1, 200],
      [3, 1800],
      [13, 30000],
    ])('with random() = 0, attempt %i equals the exact value %i', (attempt, expected) => {
      expect(backoff(attempt, { jitter: 0.5, random: () => 0 })).toBe(expected);
      expect(backoff(attempt, { jitter: 1, random: () => 0 })).toBe(expected);
    });

    it.each([
      [1, 150],
      [2, 600],
      [3, 1350],
      [4, 2400],
      [5, 3750],
      [10, 15000],
      [13, 22500],
    ])('with jitter 0.5 and random() = 0.5, attempt %i gives round(exact * 0.75) = %i', (attempt, expected) => {
      expect(backoff(attempt, { jitter: 0.5, random: () => 0.5 })).toBe(expected);
    });

    it('without jitter never calls random and is exact', () => {
      let calls = 0;
      const random = () => {
        calls++;
        return 0.9;
      };
      expect(backoff(5, { random })).toBe(5000);
      expect(backoff(5, { jitter: 0, random })).toBe(5000);
      expect(calls).toBe(0);
    });

    const randoms = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999999];
    const jitters = [0, 0.1, 0.5, 1];
    const cases = jitters.flatMap((jitter) => randoms.map((r) => [jitter, r] as const));

    it.each(cases)('never exceeds the exact value and never goes below 0 (jitter %f, random %f)', (jitter, r) => {
      for (const attempt of [1, 2, 5, 12, 13, 20]) {
        const exact = backoff(attempt);
        const jittered = backoff(attempt, { jitter, random: () => r });
        expect(jittered).toBeLessThanOrEqual(exact);
        expect(jittered).toBeGreaterThanOrEqual(0);
        expect(Number.isInteger(jittered)).toBe(true);
      }
    });

    it('with jitter 1 and random() close to 1 shrinks the delay close to 0', () => {
      expect(backoff(10, { jitter: 1, random: () => 0.99 })).toBe(200);
    });
  });

  describe('invalid input', () => {
    it.each([
      ['a negative attempt', -1, {}],
      ['a NaN attempt', Number.NaN, {}],
      ['an infinite attempt', Number.POSITIVE_INFINITY, {}],
      ['jitter 2', 1, { jitter: 2 }],
      ['a negative jitter', 1, { jitter: -0.1 }],
      ['a NaN jitter', 1, { jitter: Number.NaN }],
      ['a negative min', 1, { min: -1 }],
      ['a negative max', 1, { max: -1 }],
      ['a NaN factor', 1, { factor: Number.NaN }],
    ] as const)('throws a RangeError for %s', (_name, attempt, options) => {
      expect(() => backoff(attempt, options)).toThrow(RangeError);
    });

    it('names the offending value in the message', () => {
      expect(() => backoff(-1)).toThrow(/attempt.*-1/);
      expect(() => backoff(1, { jitter: 2 })).toThrow(/jitter.*2/);
    });
  });
});

describe('nextAttempt', () => {
  type Outcome = 'refused' | 'open-drop';
  const run = (outcomes: Outcome[], minUptimeMs = 0, uptimeMs = 1000): number[] => {
    const seen: number[] = [];
    let attempt = 0;
    for (const o of outcomes) {
      attempt =
        o === 'refused'
          ? nextAttempt(attempt, false, 0, minUptimeMs)
          : nextAttempt(attempt, true, uptimeMs, minUptimeMs);
      seen.push(attempt);
    }
    return seen;
  };

  it.each([
    ['refused, refused', ['refused', 'refused'], [1, 2]],
    ['open, drop, refused, refused, open, drop', ['open-drop', 'refused', 'refused', 'open-drop'], [1, 2, 3, 1]],
    ['refused ×3, open, drop, refused', ['refused', 'refused', 'refused', 'open-drop', 'refused'], [1, 2, 3, 1, 2]],
    ['open, drop repeatedly', ['open-drop', 'open-drop', 'open-drop'], [1, 1, 1]],
  ] as Array<[string, Outcome[], number[]]>)(
    'docs/behaviour.md §4.2 sequence %s gives attempts %j (minUptimeMs 0)',
    (_name, outcomes, expected) => {
      expect(run(outcomes)).toEqual(expected);
    },
  );

  it.each([
    // previous, opened, uptimeMs, minUptimeMs, expected
    [0, false, 0, 0, 1],
    [4, false, 0, 0, 5],
    [4, true, 0, 0, 1],
    [4, true, 999, 1000, 5],
    [4, true, 1000, 1000, 1],
    [4, true, 5000, 1000, 1],
    [0, true, 10, 1000, 1],
    [7, false, 5000, 1000, 8],
  ])(
    'nextAttempt(previous %i, opened %s, uptime %i ms, minUptime %i ms) = %i',
    (previous, opened, uptimeMs, minUptimeMs, expected) => {
      expect(nextAttempt(previous, opened, uptimeMs, minUptimeMs)).toBe(expected);
    },
  );

  it('keeps counting up while connections are accepted then dropped before minUptimeMs', () => {
    expect(run(['open-drop', 'open-drop', 'open-drop', 'refused'], 1000, 50)).toEqual([1, 2, 3, 4]);
  });

  it('resets to 1 once a connection stays up for minUptimeMs', () => {
    const seen: number[] = [];
    let attempt = 0;
    for (const [opened, uptime] of [
      [false, 0],
      [true, 10],
      [true, 1000],
      [false, 0],
    ] as Array<[boolean, number]>) {
      attempt = nextAttempt(attempt, opened, uptime, 1000);
      seen.push(attempt);
    }
    expect(seen).toEqual([1, 2, 1, 2]);
  });
});
