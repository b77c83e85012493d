/**
 * The `minch` command end to end: the real process (`node --import tsx
 * src/cli/main.ts`) against `ws` servers on 127.0.0.1:0. Every child is
 * killed after 10 s, which fails the test.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { killAll, runCli } from './helpers/cliChild.js';
import { refusedPort } from './helpers/refusedPort.js';

interface Server {
  url: string;
  wss: WebSocketServer;
  connections: number;
  closeCodes: number[];
  requestHeaders: Array<Record<string, string | string[] | undefined>>;
  close(): Promise<void>;
}

const servers: Server[] = [];

/** An echo server with test commands: "bin" → binary 01 02 03, "pong" → an unsolicited pong "123". */
async function startServer(
  onConnection?: (ws: WebSocket, n: number) => void,
  wssOptions: Record<string, unknown> = {},
): Promise<Server> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => (protocols.has('chat') ? 'chat' : false),
    ...wssOptions,
  });
  const server: Server = {
    url: '',
    wss,
    connections: 0,
    closeCodes: [],
    requestHeaders: [],
    close: () =>
      new Promise<void>((resolve) => {
        wss.clients.forEach((c) => c.terminate());
        wss.close(() => resolve());
      }),
  };
  wss.on('connection', (ws, req) => {
    server.connections++;
    server.requestHeaders.push(req.headers);
    ws.on('error', () => {});
    ws.on('close', (code) => server.closeCodes.push(code));
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      if (text === 'bin') ws.send(Buffer.from([1, 2, 3]));
      else if (text === 'pong') ws.pong('123');
      else if (text !== 'silent') ws.send(data, { binary: isBinary });
    });
    onConnection?.(ws, server.connections);
  });
  if (wssOptions['server'] === undefined) await new Promise<void>((resolve) => wss.once('listening', resolve));
  server.url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
  servers.push(server);
  return server;
}

afterEach(async () => {
  killAll();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('minch (the command)', () => {
  it('echo: stdin lines out as text, frames on stdout, status on stderr, Ctrl-C closes 1000, exit 0', async () => {
    const server = await startServer();
    const cli = runCli(['-p', 'chat', server.url]);
    await cli.waitFor('stderr', /^\* open \(protocol: chat\)$/m);
    expect(cli.stderr()).toContain(`* connecting ${server.url}`);
    cli.send('hello');
    await cli.waitFor('stdout', /^< hello$/m);
    cli.send('bin');
    await cli.waitFor('stdout', /^< \[binary 3 bytes\] 010203$/m);
    cli.send('pong');
    await cli.waitFor('stdout', /^< \[pong\] 313233$/m);
    cli.proc.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toBe('< hello\n< [binary 3 bytes] 010203\n< [pong] 313233\n'); // pipes get just the frames
    expect(cli.stderr()).toMatch(/^\* closing$/m);
    expect(cli.stderr()).toMatch(/^\* stopped \(close 1000\)$/m);
    expect(server.closeCodes).toEqual([1000]);
  });

  it('--json: one JSON object per line on stdout, each with a type; state events include open; frames', async () => {
    const server = await startServer();
    const cli = runCli(['--json', '--binary', 'base64', '-p', 'chat', server.url]);
    await cli.waitFor('stdout', /"state":"open"/);
    cli.send('hi there');
    cli.send('bin');
    await cli.waitFor('stdout', /"frame":"binary"/);
    cli.proc.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).toBe('');
    const events = cli
      .stdout()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const e of events) expect(typeof e['type']).toBe('string');
    const states = events.filter((e) => e['type'] === 'state').map((e) => e['state']);
    expect(states).toEqual(['connecting', 'open', 'closing', 'stopped']);
    expect(events).toContainEqual({ type: 'state', state: 'open', url: server.url, protocol: 'chat' });
    expect(events).toContainEqual({ type: 'frame', frame: 'text', data: 'hi there' });
    expect(events).toContainEqual({ type: 'frame', frame: 'binary', length: 3, encoding: 'base64', data: 'AQID' });
    expect(events).toContainEqual({ type: 'sent', frame: 'text', length: 8, queued: false });
    expect(events.at(-1)).toEqual({
      type: 'state',
      state: 'stopped',
      exitCode: 0,
      reason: 'normal',
      lastClose: { code: 1000, reason: '' },
    });
  });

  it('server drop → disconnect and backoff shown → a second open', async () => {
    const server = await startServer((ws, n) => {
      if (n === 1) setTimeout(() => ws.terminate(), 50);
    });
    const cli = runCli([server.url]);
    await cli.waitFor('stderr', /^\* open$/m, 2);
    const err = cli.stderr();
    const disconnected = err.indexOf('* disconnected: closed 1006');
    const backoff = err.indexOf('* backoff: reconnecting in 200 ms');
    const retry = err.indexOf(`* connecting ${server.url} (retry 1)`);
    expect(disconnected).toBeGreaterThan(err.indexOf('* open'));
    expect(backoff).toBeGreaterThan(disconnected);
    expect(retry).toBeGreaterThan(backoff);
    expect(err).toMatch(/^\* disconnected: closed 1006.*, attempt 1$/m);
    cli.send('after reconnect');
    await cli.waitFor('stdout', /^< after reconnect$/m);
    cli.proc.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(server.connections).toBe(2);
  });

  it('--once in a pipe: sends the lines, prints both echoes, closes 1000 and exits 0', async () => {
    const server = await startServer();
    const cli = runCli(['--once', server.url]);
    cli.proc.stdin.end('one\ntwo\n');
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toBe('< one\n< two\n');
    expect(server.closeCodes).toEqual([1000]);
  });

  it('--once with a silent server closes after 2 s and exits 0', async () => {
    const server = await startServer();
    const cli = runCli(['--once', server.url]);
    const started = Date.now();
    cli.proc.stdin.end('silent\n');
    expect(await cli.exited).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(cli.stdout()).toBe('');
    expect(server.closeCodes).toEqual([1000]);
  });

  it('no URL: an embedded echo server on loopback (--once echoes)', async () => {
    const cli = runCli(['--once']);
    cli.proc.stdin.end('embedded\n');
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toBe('< embedded\n');
    expect(cli.stderr()).toMatch(/^\* no URL given: started an embedded echo server on ws:\/\/127\.0\.0\.1:\d+\/$/m);
  });

  it('a refused port with --max-retries 2 exits 1 after three attempts', async () => {
    const port = await refusedPort();
    const cli = runCli(['--max-retries', '2', '--connect-timeout', '1000', `ws://127.0.0.1:${port}/`]);
    expect(await cli.exited).toBe(1);
    const err = cli.stderr();
    expect(err.match(/^\* connecting /gm)).toHaveLength(3);
    expect(err).toMatch(/^\* disconnected: connect_error econnrefused .*attempt 3, not reconnecting$/m);
    expect(err).toMatch(/^\* stopped: gave up after 3 attempts in a row \(--max-retries 2\)$/m);
    expect(cli.stdout()).toBe('');
  });

  it('--no-reconnect: a server close 1000 exits 0, another code exits 1', async () => {
    for (const [code, exit] of [
      [1000, 0],
      [4000, 1],
    ] as const) {
      const server = await startServer((ws) => setTimeout(() => ws.close(code, 'bye'), 50));
      const cli = runCli(['--no-reconnect', server.url]);
      expect(await cli.exited).toBe(exit);
      expect(cli.stderr()).toMatch(
        new RegExp(`^\\* disconnected: closed ${code} \\(bye\\), attempt 1, not reconnecting$`, 'm'),
      );
      expect(server.connections).toBe(1);
    }
  });

  it.each([
    [['--bogus'], /unknown option --bogus/],
    [['--ping-interval', 'soon'], /--ping-interval needs a whole number/],
    [['--max-retries'], /--max-retries needs a value/],
    [['http://127.0.0.1/'], /invalid URL scheme "http:"/],
    [['-H', 'no colon here'], /-H #1: a header must be written "Name: value"/],
    [['--no-reconnect', '--max-retries', '3'], /cannot be combined/],
    [['ws://a/', 'ws://b/'], /at most one URL/],
  ])('bad usage %j exits 2 with a message on stderr', async (args, message) => {
    const cli = runCli(args);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toMatch(/^minch: /);
    expect(cli.stderr()).toMatch(message);
    expect(cli.stderr()).toContain("Try 'minch --help'");
    expect(cli.stdout()).toBe('');
  });

  it('--help exits 0 and lists every option', async () => {
    const cli = runCli(['--help']);
    expect(await cli.exited).toBe(0);
    const help = cli.stdout();
    for (const option of [
      '-H, --header',
      '-p, --protocol',
      '--ping-interval',
      '--ping-timeout',
      '--connect-timeout',
      '--insecure',
      '--json',
      '--once',
      '--no-reconnect',
      '--max-retries',
      '--binary',
      '--verbose',
      '-h, --help',
    ])
      expect(help).toContain(option);
    expect(help).toMatch(/^Usage: minch /);
    expect(help).toMatch(/Exit codes: 0 /);
  });

  it('header values and query tokens never appear in the output without --verbose (human and --json)', async () => {
    const canary = 'Bearer canary-7f3a9c';
    const server = await startServer((ws) => setTimeout(() => ws.close(4001, 'go away'), 50));
    for (const mode of [[], ['--json']]) {
      const cli = runCli([
        ...mode,
        '--no-reconnect',
        '-H',
        `Authorization: ${canary}`,
        '-H',
        'X-Api-Key: key-canary-55',
        `${server.url}?token=tok-canary-99`,
      ]);
      expect(await cli.exited).toBe(1);
      const all = cli.stdout() + cli.stderr();
      for (const secret of ['canary-7f3a9c', 'key-canary-55', 'tok-canary-99']) expect(all).not.toContain(secret);
      expect(all).toContain('Authorization');
      expect(all).toContain('?<redacted>');
    }
    // The server did get them, and --verbose is the explicit way to see them.
    expect(server.requestHeaders[0]?.['authorization']).toBe(canary);
    expect(server.requestHeaders[0]?.['x-api-key']).toBe('key-canary-55');
    const verbose = runCli([
      '--verbose',
      '--no-reconnect',
      '-H',
      `Authorization: ${canary}`,
      `${server.url}?token=tok-canary-99`,
    ]);
    expect(await verbose.exited).toBe(1);
    expect(verbose.stderr()).toContain(`* header Authorization: ${canary}`);
    expect(verbose.stderr()).toContain('?token=tok-canary-99');
  });

  it('--insecure: refuses a self-signed chain without it, connects with it and warns on stderr', async () => {
    const fixture = (name: string): string => readFileSync(new URL(`./fixtures/tls/${name}`, import.meta.url), 'utf8');
    const https = createHttpsServer({ key: fixture('server-key.pem'), cert: fixture('server.pem') });
    https.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    try {
      await startServer(undefined, { server: https, host: undefined, port: undefined });
      const url = `wss://127.0.0.1:${(https.address() as AddressInfo).port}/`;
      const strict = runCli(['--no-reconnect', url]);
      expect(await strict.exited).toBe(1);
      expect(strict.stderr()).toMatch(/^\* disconnected: connect_error tls /m);
      expect(strict.stderr()).not.toContain('warning');

      const insecure = runCli(['--insecure', '--once', url]);
      insecure.proc.stdin.end('over tls\n');
      expect(await insecure.exited).toBe(0);
      expect(insecure.stdout()).toBe('< over tls\n');
      expect(insecure.stderr()).toMatch(
        /^! warning: --insecure: TLS certificates are not verified \(rejectUnauthorized: false\)/m,
      );
    } finally {
      https.closeAllConnections();
      await new Promise<void>((resolve) => https.close(() => resolve()));
    }
  });

  it('--ping-interval/--ping-timeout: a peer that never answers pings is dropped as heartbeat_timeout', async () => {
    const server = await startServer((ws) => {
      // Stop reading: the server never answers the client's pings.
      (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    });
    const cli = runCli(['--ping-interval', '100', '--ping-timeout', '200', '--no-reconnect', server.url]);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/^\* disconnected: heartbeat_timeout .*attempt 1, not reconnecting$/m);
  });
});
