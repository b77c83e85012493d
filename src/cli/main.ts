#!/usr/bin/env node
/**
 * `minch [options] [url]`: the command-line client. Usage errors exit 2;
 * everything else is decided by the session (0 normal close, 1 gave up).
 */
import { parseCliArgs, USAGE } from './args.js';
import { runSession } from './client.js';

function exit(code: number): void {
  // Let the last lines reach a pipe before exiting.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0); // the reader went away (minch ... | head -1)
  throw err;
});

const args = parseCliArgs(process.argv.slice(2));
if (!args.ok) {
  process.stderr.write(`minch: ${args.error}\nTry 'minch --help' for the options.\n`);
  exit(2);
} else if (args.value.help) {
  process.stdout.write(`${USAGE}\n`);
  exit(0);
} else {
  exit(await runSession(args.value, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }));
}
