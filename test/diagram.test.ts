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

  it('shows the hierarchy and the lifecycle transitions', () => {
    const mermaid = toMermaid(minchMachine);
    for (const line of [
      '[*] --> idle',
      'state connection {',
      '[*] --> connecting',
      'idle --> connection: callback.initialised',
      'connecting --> open: socket.open [isCurrent]',
      'connection --> backoff: socket.closed [isCurrent]',
      'connecting --> backoff: after connectTimeout',
      'open --> closing: callback.close, user.close, user.stop, user.abort, supervisor.stop, callback.stop',
      'closing --> backoff: after closeTimeout',
      'backoff_waiting --> connection: env.visible, after reconnectDelay [isOnline]',
      'stopping --> stopped: callback.terminated',
      'stopped --> [*]',
      'note left of stopping: from any state, on user.stop, user.abort, supervisor.stop, callback.stop [isRunning]',
    ])
      expect(mermaid).toContain(line);
  });
});
