import { either as E } from 'fp-ts';
import { describe, expect, it } from 'vitest';
import {
  connectErrorReason,
  redactUrl,
  resolveTarget,
  scrub,
  secretsOf,
  type ResolvedTarget,
} from '../../src/core/target.js';

// Canary secrets: they must never show up in a message, a safe URL or scrubbed text.
const PASSWORD = 'hunter2';
const TOKEN = 'tok3n';
const SECRET_URL = `ws://alice:${PASSWORD}@example.com:8080/feed?token=${TOKEN}`;

const right = (r: E.Either<string, ResolvedTarget>): ResolvedTarget => {
  if (E.isLeft(r)) throw new Error(`expected Right, got Left ${r.left}`);
  return r.right;
};
const left = (r: E.Either<string, ResolvedTarget>): string => {
  if (E.isRight(r)) throw new Error(`expected Left, got Right ${JSON.stringify(r.right)}`);
  expect(typeof r.left).toBe('string');
  expect(r.left.length).toBeGreaterThan(0);
  return r.left;
};

describe('resolveTarget: URLs', () => {
  it.each<[string, unknown, string, string]>([
    ['a ws:// string', 'ws://example.com/socket', 'ws://example.com/socket', 'ws://example.com/socket'],
    [
      'a wss:// string with a port',
      'wss://example.com:9443/a/b',
      'wss://example.com:9443/a/b',
      'wss://example.com:9443/a/b',
    ],
    ['a bare host (path normalised to /)', 'ws://example.com', 'ws://example.com/', 'ws://example.com/'],
    ['an upper-case scheme and host', 'WS://Example.COM/X', 'ws://example.com/X', 'ws://example.com/X'],
    ['an IPv6 host', 'wss://[::1]:9000/x', 'wss://[::1]:9000/x', 'wss://[::1]:9000/x'],
    ['a URL object', new URL('wss://example.com/s'), 'wss://example.com/s', 'wss://example.com/s'],
    ['{ url } with a string', { url: 'ws://localhost:1234/' }, 'ws://localhost:1234/', 'ws://localhost:1234/'],
    [
      '{ url } with a URL object',
      { url: new URL('ws://localhost:1234/x') },
      'ws://localhost:1234/x',
      'ws://localhost:1234/x',
    ],
    [
      'a URL with user-info and a query (kept for connecting, redacted in safeUrl)',
      SECRET_URL,
      SECRET_URL,
      'ws://example.com:8080/feed?<redacted>',
    ],
  ])('accepts %s', (_name, input, url, safeUrl) => {
    const t = right(resolveTarget(input));
    expect(t.url).toBe(url);
    expect(t.safeUrl).toBe(safeUrl);
  });

  it('fills in empty headers, protocols and options for a plain URL', () => {
    expect(right(resolveTarget('ws://example.com/'))).toEqual({
      url: 'ws://example.com/',
      headers: {},
      protocols: [],
      options: {},
      safeUrl: 'ws://example.com/',
    });
  });

  it.each<[string, unknown, string]>([
    ['an http:// URL', `http://alice:${PASSWORD}@example.com/?token=${TOKEN}`, 'ws://'],
    ['an https:// URL', `https://alice:${PASSWORD}@example.com/?token=${TOKEN}`, 'ws://'],
    ['an ftp:// URL', `ftp://alice:${PASSWORD}@example.com/?token=${TOKEN}`, 'ws://'],
    ['text that is not a URL', `not a url ${PASSWORD} ?token=${TOKEN}`, 'parsed'],
    ['a URL with a fragment', `ws://alice:${PASSWORD}@example.com/?token=${TOKEN}#x`, 'fragment'],
    ['a URL object with a fragment', new URL(`wss://alice:${PASSWORD}@example.com/?token=${TOKEN}#x`), 'fragment'],
    ['an object without url', { href: `ws://example.com/?token=${TOKEN}` }, 'url'],
    ['{ url } that is a number', { url: 42 }, 'URL'],
    ['a number', 42, 'URL'],
    ['null', null, 'URL'],
    ['undefined', undefined, 'URL'],
  ])('rejects %s with a message that holds no secret', (_name, input, mentioned) => {
    const message = left(resolveTarget(input));
    expect(message).toContain(mentioned);
    expect(message).not.toContain(PASSWORD);
    expect(message).not.toContain(TOKEN);
    expect(message).not.toContain('alice');
  });
});

describe('resolveTarget: headers', () => {
  it.each<[string, unknown, Record<string, string | string[]>]>([
    [
      'an object, names lower-cased',
      { Authorization: 'Bearer x', 'X-Trace': '1' },
      { authorization: 'Bearer x', 'x-trace': '1' },
    ],
    [
      '[name, value] pairs, names lower-cased',
      [
        ['Authorization', 'Bearer x'],
        ['X-Trace', '1'],
      ],
      { authorization: 'Bearer x', 'x-trace': '1' },
    ],
    [
      'duplicate pairs combined into an array, in order',
      [
        ['X-A', '1'],
        ['x-a', '2'],
      ],
      { 'x-a': ['1', '2'] },
    ],
    [
      'three duplicates combined into one array',
      [
        ['X-A', '1'],
        ['x-a', '2'],
        ['X-a', '3'],
      ],
      { 'x-a': ['1', '2', '3'] },
    ],
    ['object keys differing only in case combined', { 'X-A': '1', 'x-a': '2' }, { 'x-a': ['1', '2'] }],
    ['an empty value', { 'X-Empty': '' }, { 'x-empty': '' }],
    ['an empty object', {}, {}],
    ['an empty list', [], {}],
  ])('accepts headers as %s', (_name, headers, expected) => {
    expect(right(resolveTarget({ url: 'ws://example.com/', headers })).headers).toEqual(expected);
  });

  it.each<[string, unknown, string]>([
    ['a name with a space', { 'bad name': 'x' }, 'header name'],
    ['a name with a colon', { 'X:A': 'x' }, 'header name'],
    ['an empty name', [['', 'x']], 'header name'],
    ['a value with CR LF (header injection)', { 'X-A': `${PASSWORD}\r\nX-Evil: 1` }, 'CR'],
    ['a value with a bare LF', { 'X-A': `${PASSWORD}\nx` }, 'LF'],
    ['a value with a NUL', { 'X-A': `${PASSWORD}\0` }, 'NUL'],
    ['a non-string value', { 'X-A': 42 }, 'string'],
    ['a pair with three elements', [['X-A', '1', '2']], 'pairs'],
    ['a list of strings', ['X-A: 1'], 'pairs'],
    ['a number', 5, 'headers'],
  ])('rejects headers with %s, without echoing the value', (_name, headers, mentioned) => {
    const message = left(resolveTarget({ url: 'ws://example.com/', headers }));
    expect(message).toContain(mentioned);
    expect(message).not.toContain(PASSWORD);
  });
});

describe('resolveTarget: protocols and options', () => {
  it.each<[string, unknown, string[]]>([
    ['a single string', 'chat', ['chat']],
    ['an array', ['chat.v2', 'graphql-ws'], ['chat.v2', 'graphql-ws']],
    ['an empty array', [], []],
  ])('accepts protocols as %s', (_name, protocols, expected) => {
    expect(right(resolveTarget({ url: 'ws://example.com/', protocols })).protocols).toEqual(expected);
  });

  it.each<[string, unknown]>([
    ['a token with a space', 'bad token'],
    ['an empty string', ''],
    ['a token with a comma', 'a,b'],
    ['an array holding an invalid token', ['ok', 'bad token']],
    ['an array holding a number', ['ok', 5]],
  ])('rejects protocols as %s', (_name, protocols) => {
    expect(left(resolveTarget({ url: 'ws://example.com/', protocols }))).toContain('protocols');
  });

  it('passes ws options through untouched', () => {
    const options = { rejectUnauthorized: false, maxPayload: 1024 };
    expect(right(resolveTarget({ url: 'wss://example.com/', options })).options).toBe(options);
  });

  it.each<[string, unknown]>([
    ['a number', 5],
    ['null', null],
    ['a string', 'fast'],
  ])('rejects options as %s', (_name, options) => {
    expect(left(resolveTarget({ url: 'ws://example.com/', options }))).toContain('options');
  });
});

describe('redactUrl', () => {
  it.each<[string, string | URL, string]>([
    [
      'user-info and query',
      `wss://alice:${PASSWORD}@example.com/a/b?token=${TOKEN}`,
      'wss://example.com/a/b?<redacted>',
    ],
    ['user-info with a port', `ws://alice:${PASSWORD}@example.com:8080/x`, 'ws://example.com:8080/x'],
    ['a username only', `ws://${TOKEN}@example.com/`, 'ws://example.com/'],
    [
      'several query values and a fragment',
      `ws://example.com/p?a=1&token=${TOKEN}#${PASSWORD}`,
      'ws://example.com/p?<redacted>',
    ],
    ['a URL object', new URL(`wss://alice:${PASSWORD}@example.com/?token=${TOKEN}`), 'wss://example.com/?<redacted>'],
    ['nothing secret', 'ws://localhost:1234/echo', 'ws://localhost:1234/echo'],
    ['an unparseable string', `not a url ${PASSWORD} ${TOKEN}`, '<invalid url>'],
  ])('redacts %s', (_name, input, expected) => {
    const out = redactUrl(input);
    expect(out).toBe(expected);
    expect(out).not.toContain(PASSWORD);
    expect(out).not.toContain(TOKEN);
  });
});

describe('secretsOf and scrub', () => {
  const target = right(
    resolveTarget({
      url: `ws://alice:${PASSWORD}@example.com/?token=${TOKEN}&note=a%20b%20c`,
      headers: { Authorization: 'Bearer s3cr3t-value', Cookie: 'sid=c00kie' },
    }),
  );
  const secrets = secretsOf(target);

  it('lists user name, password, query values and header values, longest first', () => {
    expect(secrets).toEqual(
      expect.arrayContaining(['alice', PASSWORD, TOKEN, 'a b c', 'Bearer s3cr3t-value', 'sid=c00kie']),
    );
    for (let i = 1; i < secrets.length; i++) expect(secrets[i - 1]!.length).toBeGreaterThanOrEqual(secrets[i]!.length);
  });

  it.each<[string, string, string]>([
    [
      'the full URL',
      `connect ECONNREFUSED ${target.url}`,
      'connect ECONNREFUSED ws://<redacted>:<redacted>@example.com/?<redacted>',
    ],
    ['a bare password', `bad password ${PASSWORD}!`, 'bad password <redacted>!'],
    ['a query value', `token ${TOKEN} expired`, 'token <redacted> expired'],
    ['a decoded query value', 'saw note a b c', 'saw note <redacted>'],
    [
      'a header value',
      'header Authorization: Bearer s3cr3t-value rejected',
      'header Authorization: <redacted> rejected',
    ],
    ['a repeated secret', `${TOKEN}/${TOKEN}`, '<redacted>/<redacted>'],
    ['nothing secret', 'socket hang up', 'socket hang up'],
  ])('scrub replaces %s with <redacted>', (_name, message, expected) => {
    const out = scrub(message, secrets);
    expect(out).toBe(expected);
    expect(out).not.toContain(PASSWORD);
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain('s3cr3t');
  });

  it('has no secrets for a plain URL without headers', () => {
    expect(secretsOf(right(resolveTarget('ws://example.com/echo')))).toEqual([]);
  });

  it('collects every value of a combined (repeated) header', () => {
    const t = right(
      resolveTarget({
        url: 'ws://example.com/',
        headers: [
          ['X-Key', 'first-key'],
          ['x-key', 'second-key'],
        ],
      }),
    );
    expect(secretsOf(t)).toEqual(expect.arrayContaining(['first-key', 'second-key']));
    expect(scrub('first-key second-key', secretsOf(t))).toBe('<redacted> <redacted>');
  });
});

describe('connectErrorReason', () => {
  it.each<[unknown, string, string]>([
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1', 'econnrefused'],
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND nowhere.invalid', 'enotfound'],
    ['EAI_AGAIN', 'getaddrinfo EAI_AGAIN example.com', 'enotfound'],
    ['ETIMEDOUT', 'connect ETIMEDOUT', 'timeout'],
    ['ECONNRESET', 'socket hang up', 'econnreset'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate', 'tls'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames", 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate', 'tls'],
    ['CERT_HAS_EXPIRED', 'certificate has expired', 'tls'],
    [undefined, 'Client network socket disconnected before secure TLS connection was established', 'tls'],
    ['EWHATEVER', 'something odd', 'ewhatever'],
    [undefined, 'something odd', 'error'],
    [42, 'numeric code', 'error'],
  ])('maps code %s (%s) to %j', (code, message, expected) => {
    expect(connectErrorReason(code, message)).toBe(expected);
  });
});
