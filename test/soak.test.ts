/**
 * The short soak: 1,000 reconnect cycles in one process leave the number of
 * active handles where it was. The 10,000-cycle heap figures come from
 * `npm run soak`, not from a timed test.
 */
import { describe, expect, it } from 'vitest';
import { reconnectCycles } from '../scripts/reconnectCycles.js';

describe('reconnect soak (short)', () => {
  it('runs 1,000 drop-and-reconnect cycles and leaves no socket or timer behind', async () => {
    const report = await reconnectCycles(1000, [200, 1000]);
    expect(report.cycles).toBe(1000);
    expect(report.handlesAt.get(1000)).toBe(report.handlesAt.get(200));
    expect(report.handlesAfter).toBeLessThanOrEqual(report.handlesBefore);
  }, 60_000);
});
