/**
 * What both echo servers (server.ts, fastServer.ts) share with the
 * orchestrator, over their stdio: the port line once listening, a `cpu`
 * query answered with this process's CPU time (so a run can show which side
 * is the bottleneck), and exit when stdin closes, so a server can never
 * outlive the orchestrator.
 */
import { createInterface } from 'node:readline';

export function announce(port: number): void {
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  const commands = createInterface({ input: process.stdin });
  commands.on('line', (line) => {
    if (line.trim() !== 'cpu') return;
    const { user, system } = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpuUs: user + system })}\n`);
  });
  commands.on('close', () => process.exit(0));
}
