/**
 * The pure parts of `minch`: argument parsing (src/cli/args.ts) and event
 * formatting (src/cli/output.ts), table-driven.
 */
import { describe, expect, it } from 'vitest';
import { parseCliArgs, parseHeader, USAGE, type CliOptions } from '../src/cli/args.js';
import { heartbeatOf } from '../src/cli/client.js';
import {
  describeReason,
  disconnectEvent,
  formatHuman,
  formatJson,
  formatMs,
  frameEvent,
  type CliEvent,
} from '../src/cli/output.js';

const DEFAULTS: CliOptions = {
  url: null,
  headers: [],
  protocols: [],
  pingIntervalMs: undefined,
  pingTimeoutMs: undefined,
  connectTimeoutMs: undefined,
  insecure: false,
  json: false,
  once: false,
  reconnect: true,
  maxRetries: null,
  binary: 'hex',
  verbose: false,
  help: false,
};

describe('parseCliArgs: valid', () => {
  it.each<[string[], Partial<CliOptions>]>([
    [[], {}],
    [['ws://127.0.0.1:8080/'], { url: 'ws://127.0.0.1:8080/' }],
    [['wss://example.com/feed?token=x'], { url: 'wss://example.com/feed?token=x' }],
    [
      ['-H', 'Authorization: Bearer t', '--header=X-A:b'],
      {
        headers: [
          ['Authorization', 'Bearer t'],
          ['X-A', 'b'],
        ],
      },
    ],
    [['-H', 'X-Empty:'], { headers: [['X-Empty', '']] }],
    [['-H', 'X-Colon: a:b:c'], { headers: [['X-Colon', 'a:b:c']] }],
    [['-p', 'chat', '--protocol', 'v2.json'], { protocols: ['chat', 'v2.json'] }],
    [['--ping-interval', '500', '--ping-timeout', '250'], { pingIntervalMs: 500, pingTimeoutMs: 250 }],
    [['--ping-interval', '0'], { pingIntervalMs: 0 }],
    [['--connect-timeout', '1000'], { connectTimeoutMs: 1000 }],
    [['--insecure', '--json', '--once', '--verbose'], { insecure: true, json: true, once: true, verbose: true }],
    [['--no-reconnect'], { reconnect: false, maxRetries: 0 }],
    [['--max-retries', '0'], { maxRetries: 0 }],
    [['--max-retries', '7'], { maxRetries: 7 }],
    [['--binary', 'base64'], { binary: 'base64' }],
    [['--help'], { help: true }],
    [['-h', 'ws://h/', '--once'], { help: true }],
    [['ws://h/', '--once'], { url: 'ws://h/', once: true }],
  ])('%j', (argv, expected) => {
    const r = parseCliArgs(argv);
    expect(r).toEqual({ ok: true, value: { ...DEFAULTS, ...expected } });
  });
});

describe('parseCliArgs: usage errors', () => {
  it.each<[string[], RegExp]>([
    [['--bogus'], /^unknown option --bogus$/],
    [['-x'], /^unknown option -x$/],
    [['--max-retries'], /^--max-retries needs a value$/],
    [['-H'], /^-H\/--header needs a value$/],
    [['-H', '-v'], /^-H needs a value \(for a value starting with "-", write --header=-\.\.\.\)$/],
    [['--json=yes'], /^--json does not take a value$/],
    [['--ping-interval', 'soon'], /^--ping-interval needs a whole number/],
    [['--ping-interval', '-5'], /ping-interval/],
    [['--ping-interval', '1.5'], /^--ping-interval needs a whole number/],
    [['--ping-timeout', '0'], /^--ping-timeout needs a whole number >= 1/],
    [['--ping-interval', '0', '--ping-timeout', '100'], /no effect/],
    [['--connect-timeout', '0'], /^--connect-timeout needs a whole number >= 1/],
    [['--connect-timeout', '99999999999'], /^--connect-timeout needs a whole number/],
    [['--max-retries', 'many'], /^--max-retries needs a whole number/],
    [['--no-reconnect', '--max-retries', '2'], /cannot be combined/],
    [['--binary', 'utf8'], /^--binary must be hex or base64/],
    [['-p', 'two words'], /^invalid subprotocol/],
    [['-p', 'chat', '-p', 'chat'], /given twice/],
    [['-H', 'NoColon'], /^-H #1: a header must be written "Name: value"/],
    [['-H', 'A: 1', '-H', ': value'], /^-H #2: a header must be written/],
    [['-H', 'Bad Name: v'], /^-H #1: invalid header name/],
    [['http://127.0.0.1/'], /^invalid URL scheme "http:": use ws:\/\/ or wss:\/\/$/],
    [['localhost:8080'], /^invalid URL scheme "localhost:"/],
    [['not a url'], /^invalid URL: write it as ws:\/\//],
    [['ws://h/#frag'], /fragment/],
    [['ws://a/', 'ws://b/'], /^expected at most one URL, got 2 arguments$/],
  ])('%j → %s', (argv, message) => {
    const r = parseCliArgs(argv);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it('never echoes a header value or a mistyped header in an error', () => {
    for (const argv of [
      ['-H', 'Authorization Bearer s3cret: x'],
      ['-H', 's3cret'],
      ['-H', 'X: s3cret\r\nInjected: 1'],
    ]) {
      const r = parseCliArgs(argv);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).not.toContain('s3cret');
    }
  });
});

describe('parseHeader', () => {
  it.each<[string, [string, string] | null]>([
    ['Name: value', ['Name', 'value']],
    ['Name:value', ['Name', 'value']],
    ['  Name  :   spaced value  ', ['Name', 'spaced value']],
    ['Cookie: a=1; b=2', ['Cookie', 'a=1; b=2']],
    [':no name', null],
    ['no colon', null],
    ['Bad/Name: v', null],
  ])('%j', (raw, expected) => {
    const r = parseHeader(raw);
    expect(r.ok ? r.value : null).toEqual(expected);
  });
});

describe('--help text', () => {
  it.each([
    '--header',
    '--protocol',
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
    '--help',
  ])('lists %s', (option) => expect(USAGE).toContain(option));
});

describe('heartbeatOf', () => {
  it.each<[Partial<CliOptions>, unknown]>([
    [{}, undefined],
    [{ pingIntervalMs: 0 }, false],
    [{ pingIntervalMs: 500 }, { intervalMs: 500, timeoutMs: 20_000 }],
    [{ pingTimeoutMs: 300 }, { intervalMs: 20_000, timeoutMs: 300 }],
    [
      { pingIntervalMs: 100, pingTimeoutMs: 200 },
      { intervalMs: 100, timeoutMs: 200 },
    ],
  ])('%j → %j', (opts, expected) => expect(heartbeatOf({ ...DEFAULTS, ...opts })).toEqual(expected));
});

describe('output: frames', () => {
  it.each<[Parameters<typeof frameEvent>[0], 'hex' | 'base64', CliEvent | null]>([
    [{ type: 'text', data: 'hello' }, 'hex', { type: 'frame', frame: 'text', data: 'hello' }],
    [
      { type: 'binary', data: new Uint8Array([1, 2, 3]) },
      'hex',
      { type: 'frame', frame: 'binary', length: 3, encoding: 'hex', data: '010203' },
    ],
    [
      { type: 'binary', data: new Uint8Array([1, 2, 3]) },
      'base64',
      { type: 'frame', frame: 'binary', length: 3, encoding: 'base64', data: 'AQID' },
    ],
    [
      { type: 'binary', data: new Uint8Array([0, 0xff, 9, 10]).subarray(1, 3) },
      'hex',
      { type: 'frame', frame: 'binary', length: 2, encoding: 'hex', data: 'ff09' },
    ],
    [
      { type: 'pong', data: new TextEncoder().encode('123') },
      'hex',
      { type: 'frame', frame: 'pong', length: 3, encoding: 'hex', data: '313233' },
    ],
    [{ type: 'pong' }, 'hex', { type: 'frame', frame: 'pong', length: 0, encoding: 'hex', data: '' }],
    [{ type: 'ping' }, 'hex', null],
  ])('%j as %s', (frame, encoding, expected) => expect(frameEvent(frame, encoding)).toEqual(expected));
});

describe('output: human lines', () => {
  const reason1006 = { type: 'closed', code: 1006, reason: '' } as const;
  it.each<[CliEvent, 'out' | 'err' | null, string | null]>([
    [{ type: 'frame', frame: 'text', data: 'hello' }, 'out', '< hello'],
    [{ type: 'frame', frame: 'text', data: 'two\nlines' }, 'out', '< two\nlines'],
    [
      { type: 'frame', frame: 'binary', length: 3, encoding: 'hex', data: '010203' },
      'out',
      '< [binary 3 bytes] 010203',
    ],
    [{ type: 'frame', frame: 'binary', length: 1, encoding: 'hex', data: 'ff' }, 'out', '< [binary 1 byte] ff'],
    [{ type: 'frame', frame: 'binary', length: 0, encoding: 'hex', data: '' }, 'out', '< [binary 0 bytes]'],
    [{ type: 'frame', frame: 'pong', length: 3, encoding: 'hex', data: '313233' }, 'out', '< [pong] 313233'],
    [{ type: 'frame', frame: 'pong', length: 0, encoding: 'hex', data: '' }, 'out', '< [pong]'],
    [
      { type: 'state', state: 'connecting', url: 'ws://127.0.0.1:9/', retry: 0 },
      'err',
      '* connecting ws://127.0.0.1:9/',
    ],
    [
      { type: 'state', state: 'connecting', url: 'ws://127.0.0.1:9/', retry: 2 },
      'err',
      '* connecting ws://127.0.0.1:9/ (retry 2)',
    ],
    [{ type: 'state', state: 'open', url: 'ws://h/', protocol: 'chat' }, 'err', '* open (protocol: chat)'],
    [{ type: 'state', state: 'open', url: 'ws://h/', protocol: '' }, 'err', '* open'],
    [
      {
        type: 'state',
        state: 'open',
        url: 'ws://h/',
        protocol: '',
        status: 101,
        headers: { upgrade: 'websocket', 'set-cookie': ['a=1', 'b=2'] },
      },
      'err',
      '* open\n* response 101:\n*   upgrade: websocket\n*   set-cookie: a=1\n*   set-cookie: b=2',
    ],
    [
      { type: 'state', state: 'backoff', backoffMs: 200, nextAttemptAt: 0, attempt: 1, reason: reason1006 },
      'err',
      '* backoff: reconnecting in 200 ms',
    ],
    [
      { type: 'state', state: 'backoff', backoffMs: 1800, nextAttemptAt: 0, attempt: 3, reason: null },
      'err',
      '* backoff: reconnecting in 1.8 s',
    ],
    [{ type: 'state', state: 'closing' }, 'err', '* closing'],
    [
      { type: 'state', state: 'stopped', exitCode: 0, reason: 'normal', lastClose: { code: 1000, reason: '' } },
      'err',
      '* stopped (close 1000)',
    ],
    [{ type: 'state', state: 'stopped', exitCode: 0, reason: 'normal', lastClose: null }, 'err', '* stopped'],
    [
      {
        type: 'state',
        state: 'stopped',
        exitCode: 1,
        reason: 'gave up after 3 attempts in a row (--max-retries 2)',
        lastClose: null,
      },
      'err',
      '* stopped: gave up after 3 attempts in a row (--max-retries 2)',
    ],
    [
      {
        type: 'disconnect',
        reason: { type: 'closed', code: 1006, reason: 'socket hang up' },
        attempt: 1,
        reconnect: true,
      },
      'err',
      '* disconnected: closed 1006 (socket hang up), attempt 1',
    ],
    [
      { type: 'disconnect', reason: { type: 'closed', code: 1000, reason: '' }, attempt: 1, reconnect: false },
      'err',
      '* disconnected: closed 1000, attempt 1, not reconnecting',
    ],
    [{ type: 'error', message: 'line not sent: not connected' }, 'err', '! error: line not sent: not connected'],
    [{ type: 'warning', message: 'careful' }, 'err', '! warning: careful'],
    [{ type: 'info', message: 'stdin ended' }, 'err', '* stdin ended'],
    [{ type: 'sent', frame: 'text', length: 3, queued: false }, null, null],
  ])('%j', (event, stream, text) => {
    const line = formatHuman(event);
    expect(line === null ? null : line.stream).toBe(stream);
    expect(line === null ? null : line.text).toBe(text);
  });

  it.each<[Parameters<typeof describeReason>[0], string]>([
    [{ type: 'closed', code: 4000, reason: 'bye' }, 'closed 4000 (bye)'],
    [
      { type: 'connect_error', reason: 'econnrefused', message: 'connect ECONNREFUSED 127.0.0.1:1' },
      'connect_error econnrefused (connect ECONNREFUSED 127.0.0.1:1)',
    ],
    [{ type: 'connect_error', reason: 'timeout', message: '' }, 'connect_error timeout'],
    [{ type: 'upgrade_failed', status: 401, headers: { 'www-authenticate': 'Bearer' } }, 'upgrade_failed: HTTP 401'],
    [{ type: 'heartbeat_timeout' }, 'heartbeat_timeout (no answer to a ping in time)'],
  ])('describeReason %j', (reason, text) => expect(describeReason(reason)).toBe(text));

  it.each<[number, string]>([
    [0, '0 ms'],
    [200, '200 ms'],
    [999.6, '1000 ms'],
    [1800, '1.8 s'],
    [28_800, '29 s'],
    [-5, '0 ms'],
  ])('formatMs(%d) = %s', (ms, text) => expect(formatMs(ms)).toBe(text));
});

describe('output: JSON lines', () => {
  it('one line per event, with a type, that parses back to the event', () => {
    const events: CliEvent[] = [
      { type: 'state', state: 'open', url: 'ws://h/', protocol: 'chat' },
      { type: 'frame', frame: 'text', data: 'multi\nline "quoted"' },
      { type: 'disconnect', reason: { type: 'heartbeat_timeout' }, attempt: 2, reconnect: true },
    ];
    for (const event of events) {
      const line = formatJson(event);
      expect(line).not.toContain('\n');
      expect(JSON.parse(line)).toEqual(event);
    }
  });

  it('drops the response headers of a failed upgrade unless --verbose', () => {
    const reason = { type: 'upgrade_failed', status: 401, headers: { 'set-cookie': 'session=s3cret' } } as const;
    expect(formatJson(disconnectEvent(reason, 1, true, false))).not.toContain('s3cret');
    expect(formatJson(disconnectEvent(reason, 1, true, true))).toContain('s3cret');
  });
});
