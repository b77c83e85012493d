/**
 * The README's statechart diagram is generated from the machine definition
 * (`npm run diagram`); this test fails when it is stale.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { minchMachine } from '../machines/minchMachine.js';
import { toMermaid, withDiagram } from '../scripts/mermaid.js';

describe('statechart diagram', () => {
  it('in README.md matches the machine definition (run npm run diagram)', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(withDiagram(readme, toMermaid(minchMachine))).toBe(readme);
  });

  it('shows every state and the lifecycle transitions', () => {
    const mermaid = toMermaid(minchMachine);
    for (const line of [
      '[*] --> idle',
      'idle --> connecting: init.done',
      'connecting --> open: socket.open [isCurrent]',
      'connecting --> backoff: after connectTimeout',
      'open --> closing: result.close',
      'closing --> backoff: after closeTimeout',
      'backoff --> connecting: after reconnectDelay [canRetry]',
      'closing --> stopped: terminate.done',
      'stopped --> [*]',
    ]) expect(mermaid).toContain(line);
  });
});
