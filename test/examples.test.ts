/**
 * The examples are real programs: run them as a user would (`npm start`
 * runs examples/main.ts) against their embedded loopback echo server.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('examples', () => {
  it('run end to end with no network: hello echoed, ping timed, reconnect shown', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/main.ts'], {
      env: { ...process.env, MINCH_EXAMPLES_FAST: '1' },
      timeout: 30_000,
    });
    expect(stdout).toContain('basic: received text "hello from minch"');
    expect(stdout).toMatch(/ping: round-trip time median \d+\.\d+ ms/);
    expect(stdout).toContain('supervised: received text "welcome"');
    expect(stdout).toMatch(/supervised: disconnected \(closed 1006\), attempt 1, reconnecting in 200 ms/);
    expect(stdout.match(/supervised: state open/g)?.length).toBe(2);
    expect(stdout).toMatch(/supervised: received text "\d{4}-\d\d-\d\dT/);
    expect(stdout).toContain('supervised: terminate("normal")');
    expect(stdout).toContain('metrics: minch.client.connections{} 0 {connection}');
    expect(stdout).toMatch(/metrics: minch\.client\.disconnects\{reason=closed,code=1006\} 3 \{disconnect\}/);
    expect(stdout).toMatch(/metrics: minch\.client\.connect\.duration\{outcome=ok\} count 6, sum \d+\.\d{3} s/);
    expect(stdout).toContain('== all examples done');
  });
});
