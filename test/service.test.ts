/**
 * The service example as a child process with 100 clients: on SIGTERM every
 * server-side socket sees 1001 "going away" and the process exits by itself.
 */
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSpyServer, type SpyServer } from './helpers/spyServer.js';

let server: SpyServer;
beforeEach(async () => {
  server = await startSpyServer();
});
afterEach(() => server.close());

describe('examples/service.ts', () => {
  it('closes 100 clients with 1001 on SIGTERM and exits by itself', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/service.ts', server.url, '100'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += String(d);
        if (out.includes('ready 100')) resolve();
      });
      void exited.then(() => reject(new Error(`exited early: ${out} ${err}`)));
    });
    const signalledAt = performance.now();
    child.kill('SIGTERM');
    const code = await exited;
    const exitMs = performance.now() - signalledAt;
    clearTimeout(kill);
    expect(code).toBe(0);
    const closes = server.recorder.events.filter((e) => e.type === 'close');
    expect(closes).toHaveLength(100);
    expect(closes.every((c) => c.type === 'close' && c.code === 1001 && c.reason === 'going away')).toBe(true);
    expect(out).toMatch(/stopped in \d+ ms/);
    // The shutdown figure is in the closing note; this bound only proves the process ends by itself.
    expect(exitMs).toBeLessThan(5000);
  }, 30_000);
});
