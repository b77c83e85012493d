/**
 * A loopback port that refuses connections, for tests of `econnrefused`.
 *
 * Closing a server and reusing its port is a race: the kernel may hand the
 * freed port to the next `listen(0)` of any test running in parallel, and the
 * "refused" connect then succeeds. So the port comes from below the kernel's
 * ephemeral range, which `listen(0)` never hands out, and it is probed once to
 * make sure nothing else on the machine listens on it.
 */
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';

const HOST = '127.0.0.1';

function ephemeralFloor(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const n = Number(low);
    return Number.isInteger(n) && n > 2048 ? n : 32768;
  } catch {
    return 32768;
  }
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

export async function refusedPort(): Promise<number> {
  const floor = ephemeralFloor();
  const low = Math.max(1024, floor - 10_000);
  for (let i = 0; i < 20; i++) {
    const port = low + Math.floor(Math.random() * (floor - low));
    if (await refuses(port)) return port;
  }
  throw new Error(`no refusing loopback port found below ${floor}`);
}
