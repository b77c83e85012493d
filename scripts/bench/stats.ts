/** Small statistics helpers: medians and percentiles of plain number arrays. */

/** The q-quantile (0..1) by the nearest-rank method on a sorted copy. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** The median; with an even count, the mean of the two middle values. */
export function median(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface Spread {
  values: number[];
  median: number;
  min: number;
  max: number;
}

export function spread(values: number[]): Spread {
  return { values, median: median(values), min: Math.min(...values), max: Math.max(...values) };
}
