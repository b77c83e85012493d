/**
 * Starts the echo servers as child processes and talks to them: each prints
 * its port, answers `cpu` with its CPU time, and exits when its stdin closes.
 * Servers are run through tsx like the harness; their speed does not depend
 * on it, and no client code is loaded there.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const SERVERS = ['ws', 'fast'] as const;
export type ServerId = (typeof SERVERS)[number];

export const SERVER_LABELS: Record<ServerId, string> = { ws: 'ws server', fast: 'fast server' };

const SCRIPTS: Record<ServerId, string> = { ws: './server.ts', fast: './fastServer.ts' };

export interface EchoServer {
  id: ServerId;
  url: string;
  /** The server process's CPU time so far (user + system), in µs. */
  cpuUs(): Promise<number>;
  stop(): void;
}

export async function startServer(id: ServerId): Promise<EchoServer> {
  const script = fileURLToPath(new URL(SCRIPTS[id], import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: { resolve(line: string): void; reject(err: Error): void }[] = [];
  let dead: Error | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(line));
  child.once('exit', (code) => {
    dead = new Error(`${id} echo server exited with ${code}`);
    for (const w of waiting.splice(0)) w.reject(dead);
  });
  const nextLine = (): Promise<string> =>
    dead !== undefined ? Promise.reject(dead) : new Promise((resolve, reject) => waiting.push({ resolve, reject }));

  const { port } = JSON.parse(await nextLine()) as { port: number };
  return {
    id,
    url: `ws://127.0.0.1:${port}/`,
    cpuUs: async () => {
      const answer = nextLine();
      child.stdin.write('cpu\n');
      return (JSON.parse(await answer) as { cpuUs: number }).cpuUs;
    },
    stop: () => child.stdin.end(),
  };
}
