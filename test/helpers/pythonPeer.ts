/**
 * Starts the Python `websockets` peer (Debian's python3-websockets, run with
 * /usr/bin/python3, which can see it) and resolves with its base URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../peers/python_server.py', import.meta.url));
export const PYTHON = '/usr/bin/python3';

export interface PythonPeer {
  base: string;
  stop(): Promise<void>;
}

export function pythonAvailable(): boolean {
  return existsSync(PYTHON);
}

export function startPythonPeer(): Promise<PythonPeer> {
  const child: ChildProcess = spawn(PYTHON, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`python peer did not start: ${stderr}`)), 10_000);
    child.once('exit', (code) => reject(new Error(`python peer exited with ${code}: ${stderr}`)));
    child.stdout?.once('data', (d) => {
      clearTimeout(timer);
      const port = Number(String(d).trim());
      resolve({
        base: `ws://127.0.0.1:${port}`,
        stop: () =>
          new Promise<void>((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.stdin?.end();
            setTimeout(() => child.kill('SIGKILL'), 2000).unref();
          }),
      });
    });
  });
}
