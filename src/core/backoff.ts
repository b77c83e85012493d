/**
 * Reconnect delays (pure). Exactly Minch's numbers:
 * `min(round(min * attempt ** factor), max)`.
 */
import { DEFAULTS } from './options.js';

/** Options of `backoff`. */
export interface BackoffOptions {
  /** The delay of attempt 1, in milliseconds. @default 200 */
  min?: number;
  /** The longest delay, in milliseconds. @default 30000 */
  max?: number;
  /** The exponent of `attempt`. @default 2 */
  factor?: number;
  /**
   * Spread against reconnect storms: a fraction in [0, 1]. The delay becomes
   * `delay * (1 - jitter * random)`, never more than without jitter.
   * @default 0 (exact results)
   */
  jitter?: number;
  /** Source of randomness for `jitter`, returning [0, 1). @default Math.random */
  random?: () => number;
}

/** The defaults of `backoff`'s options (they live with every other default). */
export const BACKOFF_DEFAULTS = DEFAULTS.backoff;

/**
 * The delay in milliseconds before reconnect attempt `attempt` (1, 2, ...).
 *
 * @example backoff(1) // 200
 * @example backoff(3, { min: 100, max: 10_000, factor: 1.5 }) // 520
 */
export function backoff(attempt: number, options: BackoffOptions = {}): number {
  const {
    min = BACKOFF_DEFAULTS.min,
    max = BACKOFF_DEFAULTS.max,
    factor = BACKOFF_DEFAULTS.factor,
    jitter = 0,
  } = options;
  if (!Number.isFinite(attempt) || attempt < 0)
    throw new RangeError(`backoff: attempt must be a number >= 0, got ${attempt}`);
  if (!(min >= 0) || !(max >= 0) || !Number.isFinite(factor)) {
    throw new RangeError('backoff: min and max must be >= 0 and factor a finite number');
  }
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`backoff: jitter must be in [0, 1], got ${jitter}`);
  const exact = Math.min(Math.round(min * attempt ** factor), max);
  if (jitter === 0) return exact;
  const random = options.random ?? Math.random;
  return Math.round(exact * (1 - jitter * random()));
}

/**
 * The attempt number after a connection attempt ended. Counts consecutive
 * attempts since the connection was last open, starting at 1. A connection
 * that was open for less than `minUptimeMs` does not reset the count, so a
 * server that accepts and drops at once still sees the backoff grow.
 */
export function nextAttempt(previous: number, opened: boolean, uptimeMs: number, minUptimeMs: number): number {
  if (opened && uptimeMs >= minUptimeMs) return 1;
  return previous + 1;
}
