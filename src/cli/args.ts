/**
 * Command-line arguments of `minch` (pure): argv in, options or a usage error
 * out. Error messages never contain header values.
 */
import { parseArgs } from 'node:util';

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export interface CliOptions {
  /** The URL as given, or null to start the embedded echo server. */
  url: string | null;
  /** Request headers as [name, value] pairs, in the order given. */
  headers: Array<[string, string]>;
  protocols: string[];
  /** ms; undefined keeps the library default. */
  pingIntervalMs: number | undefined;
  pingTimeoutMs: number | undefined;
  connectTimeoutMs: number | undefined;
  insecure: boolean;
  json: boolean;
  once: boolean;
  reconnect: boolean;
  /** Reconnect attempts allowed in a row; null for no limit. */
  maxRetries: number | null;
  binary: 'hex' | 'base64';
  verbose: boolean;
  help: boolean;
}

/** Every option, as `--help` lists it. */
export const OPTION_HELP: ReadonlyArray<readonly [string, string]> = [
  ['-H, --header "Name: value"', 'add a request header (repeatable); values are shown only with --verbose'],
  ['-p, --protocol NAME', 'offer a subprotocol (repeatable)'],
  ['--ping-interval MS', 'heartbeat: a ping every MS ms (default 20000; 0 turns it off)'],
  ['--ping-timeout MS', 'heartbeat: drop if nothing arrives MS ms after a ping (default 20000)'],
  ['--connect-timeout MS', 'give up an attempt after MS ms (default 10000)'],
  ['--insecure', 'do not verify TLS certificates (rejectUnauthorized: false); warns'],
  ['--json', 'one JSON object per event on stdout, each with a "type"'],
  ['--once', 'send the stdin lines, print the replies, close with 1000 (for pipes)'],
  ['--no-reconnect', 'stop at the first disconnect or failed attempt'],
  ['--max-retries N', 'stop once N reconnect attempts in a row have failed (default: no limit)'],
  ['--binary hex|base64', 'how binary frames and pong payloads are printed (default hex)'],
  ['--verbose', 'also show header values, the full URL and the response headers'],
  ['-h, --help', 'show this help'],
];

export const USAGE = `Usage: minch [options] [ws://host:port/path | wss://...]

Connects, prints incoming frames on stdout and sends each line of stdin as a
text frame. Status lines go to stderr. Reconnects with backoff(attempt) unless
--no-reconnect. With no URL, starts an embedded echo server on 127.0.0.1.

Options:
${OPTION_HELP.map(([flag, text]) => `  ${flag.padEnd(27)} ${text}`).join('\n')}

Ctrl-C (or Ctrl-D at a terminal) closes with 1000. When stdin is a pipe, its
end does not close the connection: --once does.

Exit codes: 0 after a normal close (Ctrl-C, --once, close code 1000),
1 when the connection could not be made or was lost and retries are exhausted,
2 for usage errors.`;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const SPEC = {
  header: { type: 'string', short: 'H', multiple: true },
  protocol: { type: 'string', short: 'p', multiple: true },
  'ping-interval': { type: 'string' },
  'ping-timeout': { type: 'string' },
  'connect-timeout': { type: 'string' },
  insecure: { type: 'boolean' },
  json: { type: 'boolean' },
  once: { type: 'boolean' },
  'no-reconnect': { type: 'boolean' },
  'max-retries': { type: 'string' },
  binary: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

/** An integer in [min, 2147483647] written in decimal digits. */
export function parseInteger(name: string, raw: string | undefined, min: number): Result<number | undefined> {
  if (raw === undefined) return { ok: true, value: undefined };
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > 2_147_483_647) {
    return fail(
      `${name} needs a whole number${min > 0 ? ` >= ${min}` : ''} (milliseconds or a count), ` +
        `got ${JSON.stringify(raw)}`,
    );
  }
  return { ok: true, value: n };
}

/** Parses `Name: value`. The error names the header, never its value. */
export function parseHeader(raw: string, which = 1): Result<[string, string]> {
  const colon = raw.indexOf(':');
  if (colon <= 0) return fail(`-H #${which}: a header must be written "Name: value" (-H "Authorization: Bearer ...")`);
  const name = raw.slice(0, colon).trim();
  const value = raw.slice(colon + 1).trim();
  // The name is not echoed either: a mistyped header may hold a token.
  if (!TOKEN.test(name))
    return fail(`-H #${which}: invalid header name (letters, digits and !#$%&'*+.^_\`|~- only; write "Name: value")`);
  if (/[\r\n\0]/.test(value)) return fail(`header ${name}: the value must not contain CR, LF or NUL`);
  return { ok: true, value: [name, value] };
}

export function checkUrl(raw: string): Result<string> {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return fail('invalid URL: write it as ws://host:port/path or wss://host/path');
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:')
    return fail(`invalid URL scheme "${u.protocol}": use ws:// or wss://`);
  if (raw.includes('#')) return fail('invalid URL: a WebSocket URL cannot have a fragment (#...)');
  return { ok: true, value: raw };
}

/** `-H, --header <value>` → `-H/--header`. */
const optionName = (raw: string): string => raw.replace(/ <value>$/, '').replace(', ', '/');

function parseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const unknown = /^Unknown option '([^']*)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const option = /^Option '([^']*)'/.exec(message)?.[1];
  if (option !== undefined && /argument is ambiguous/.test(message)) {
    const long =
      Object.entries(SPEC).find(([, spec]) => 'short' in spec && `-${spec.short}` === option)?.[0] ??
      option.replace(/^-+/, '');
    return `${option} needs a value (for a value starting with "-", write --${long}=-...)`;
  }
  if (option !== undefined && /argument missing/.test(message)) return `${optionName(option)} needs a value`;
  if (option !== undefined && /does not take an argument/.test(message))
    return `${optionName(option)} does not take a value`;
  return (message.split('\n')[0] ?? message).replace(/\.$/, '');
}

/** Parses argv (without `node` and the script). */
export function parseCliArgs(argv: readonly string[]): Result<CliOptions> {
  let parsed: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: SPEC, strict: true, allowPositionals: true });
  } catch (err) {
    return fail(parseError(err));
  }
  const v = parsed.values as {
    header?: string[];
    protocol?: string[];
    'ping-interval'?: string;
    'ping-timeout'?: string;
    'connect-timeout'?: string;
    insecure?: boolean;
    json?: boolean;
    once?: boolean;
    'no-reconnect'?: boolean;
    'max-retries'?: string;
    binary?: string;
    verbose?: boolean;
    help?: boolean;
  };
  const base = {
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
  } satisfies Omit<CliOptions, 'help'>;
  if (v.help === true) return { ok: true, value: { ...base, help: true } };

  if (parsed.positionals.length > 1)
    return fail(`expected at most one URL, got ${parsed.positionals.length} arguments`);
  const rawUrl = parsed.positionals[0];
  const url = rawUrl === undefined ? { ok: true as const, value: null } : checkUrl(rawUrl);
  if (!url.ok) return url;

  const headers: Array<[string, string]> = [];
  for (const [i, raw] of (v.header ?? []).entries()) {
    const h = parseHeader(raw, i + 1);
    if (!h.ok) return h;
    headers.push(h.value);
  }
  const protocols = v.protocol ?? [];
  for (const p of protocols)
    if (!TOKEN.test(p))
      return fail(`invalid subprotocol ${JSON.stringify(p)}: use letters, digits and !#$%&'*+.^_\`|~-`);
  if (new Set(protocols).size !== protocols.length) return fail('a subprotocol is given twice');

  const interval = parseInteger('--ping-interval', v['ping-interval'], 0);
  if (!interval.ok) return interval;
  const timeout = parseInteger('--ping-timeout', v['ping-timeout'], 1);
  if (!timeout.ok) return timeout;
  if (interval.value === 0 && timeout.value !== undefined)
    return fail('--ping-timeout has no effect with --ping-interval 0');
  const connect = parseInteger('--connect-timeout', v['connect-timeout'], 1);
  if (!connect.ok) return connect;
  const retries = parseInteger('--max-retries', v['max-retries'], 0);
  if (!retries.ok) return retries;
  if (v['no-reconnect'] === true && retries.value !== undefined)
    return fail('--no-reconnect and --max-retries cannot be combined');
  const binary = v.binary ?? 'hex';
  if (binary !== 'hex' && binary !== 'base64')
    return fail(`--binary must be hex or base64, got ${JSON.stringify(binary)}`);

  return {
    ok: true,
    value: {
      url: url.value,
      headers,
      protocols,
      pingIntervalMs: interval.value,
      pingTimeoutMs: timeout.value,
      connectTimeoutMs: connect.value,
      insecure: v.insecure === true,
      json: v.json === true,
      once: v.once === true,
      reconnect: v['no-reconnect'] !== true,
      maxRetries: v['no-reconnect'] === true ? 0 : (retries.value ?? null),
      binary,
      verbose: v.verbose === true,
      help: false,
    },
  };
}
