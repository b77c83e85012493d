/**
 * Runs the `minch` command as a child process (`node --import tsx
 * src/cli/main.ts`, no build needed) and lets a test wait for its output.
 * Every child is killed after `limitMs` (10 s) and the wait then fails.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliChild {
  proc: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves once `pattern` matched the stream `times` times; rejects when the child exits or is killed first. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, times?: number): Promise<void>;
  /** The exit code; rejects if the child had to be killed at the time limit. */
  exited: Promise<number | null>;
  send(line: string): void;
  kill(): void;
}

const live = new Set<ChildProcessWithoutNullStreams>();

/** Kills children a failed test left behind (call from afterEach). */
export function killAll(): void {
  for (const p of live) p.kill('SIGKILL');
  live.clear();
}

export function runCli(args: string[], { limitMs = 10_000 }: { limitMs?: number } = {}): CliChild {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
  });
  live.add(proc);
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const notify = (): void => listeners.forEach((l) => l());
  proc.stdout.setEncoding('utf8').on('data', (d: string) => ((out += d), notify()));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => ((err += d), notify()));
  let killedAtLimit = false;
  const timer = setTimeout(() => {
    killedAtLimit = true;
    proc.kill('SIGKILL');
  }, limitMs);
  const exited = new Promise<number | null>((resolve, reject) => {
    proc.on('close', (code) => {
      clearTimeout(timer);
      live.delete(proc);
      notify();
      if (killedAtLimit)
        reject(new Error(`minch ${args.join(' ')} was killed after ${limitMs} ms\nstdout:\n${out}\nstderr:\n${err}`));
      else resolve(code);
    });
  });
  exited.catch(() => {});
  const count = (s: string, p: RegExp): number =>
    (s.match(new RegExp(p.source, p.flags.includes('g') ? p.flags : `${p.flags}g`)) ?? []).length;
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    send: (line) => proc.stdin.write(`${line}\n`),
    kill: () => proc.kill('SIGKILL'),
    waitFor: (stream, pattern, times = 1) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (count(stream === 'stdout' ? out : err, pattern) >= times) {
            listeners.delete(check);
            resolve();
          } else if (proc.exitCode !== null || proc.signalCode !== null) {
            listeners.delete(check);
            reject(
              new Error(`minch exited before ${stream} matched ${pattern} ${times}x\nstdout:\n${out}\nstderr:\n${err}`),
            );
          }
        };
        listeners.add(check);
        check();
      }),
  };
}
