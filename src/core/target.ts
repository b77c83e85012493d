/**
 * Connect targets (pure): URL checks, header normalisation and redaction.
 * Redacted URLs keep scheme, host, port and path; user-info and the query
 * string never leave this module in logs, errors or snapshots.
 */
import * as E from './either.js';
import type { ConnectTarget, HeadersInput } from '../types.js';
import { describe } from './frames.js';

export interface ResolvedTarget {
  url: string;
  headers: Record<string, string | string[]>;
  protocols: string[];
  options: Record<string, unknown>;
  /** The URL with user-info and query removed: safe to log or show. */
  safeUrl: string;
}

/** Strips user-info, query and fragment from a URL. Unparseable input becomes `'<invalid url>'`. */
export function redactUrl(url: string | URL): string {
  try {
    const u = url instanceof URL ? url : new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?<redacted>' : ''}`;
  } catch {
    return '<invalid url>';
  }
}

function parseUrl(url: unknown): E.Either<string, URL> {
  if (typeof url !== 'string' && !(url instanceof URL)) return E.left(`expected a URL string, got ${describe(url)}`);
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return E.left('invalid URL: it could not be parsed (write it as ws://host:port/path or wss://...)');
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    return E.left(`invalid URL scheme "${parsed.protocol}": use ws:// or wss://`);
  }
  if (parsed.hash || String(url).includes('#'))
    return E.left('invalid URL: a WebSocket URL cannot have a fragment (#...)');
  return E.right(parsed);
}

function normalizeHeaders(input: HeadersInput | undefined): E.Either<string, Record<string, string | string[]>> {
  const out: Record<string, string | string[]> = {};
  if (input === undefined) return E.right(out);
  const pairs: ReadonlyArray<readonly [unknown, unknown]> = Array.isArray(input)
    ? (input as ReadonlyArray<readonly [unknown, unknown]>)
    : typeof input === 'object' && input !== null
      ? Object.entries(input)
      : [];
  if (!Array.isArray(input) && (typeof input !== 'object' || input === null))
    return E.left('headers must be an object or [name, value] pairs');
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2) return E.left('headers as a list must hold [name, value] pairs');
    const [name, value] = pair as [unknown, unknown];
    if (typeof name !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      return E.left(`invalid header name ${describe(name)}`);
    if (typeof value !== 'string' || /[\r\n\0]/.test(value))
      return E.left(`header "${name}" must have a string value without CR, LF or NUL`);
    const key = name.toLowerCase();
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return E.right(out);
}

/**
 * Checks what `connect(state)` returned and resolves it into a target. The
 * error message is safe to show: it never contains the URL or header values.
 */
export function resolveTarget(input: unknown): E.Either<string, ResolvedTarget> {
  const target: Partial<ConnectTarget> =
    typeof input === 'string' || input instanceof URL
      ? { url: input }
      : typeof input === 'object' && input !== null
        ? (input as ConnectTarget)
        : {};
  if (target.url === undefined)
    return E.left(`expected a URL or { url, headers?, protocols?, options? }, got ${describe(input)}`);
  const url = parseUrl(target.url);
  if (E.isLeft(url)) return url;
  const headers = normalizeHeaders(target.headers);
  if (E.isLeft(headers)) return headers;
  const protocols =
    target.protocols === undefined ? [] : Array.isArray(target.protocols) ? target.protocols : [target.protocols];
  if (!protocols.every((p) => typeof p === 'string' && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(p))) {
    return E.left("protocols must be subprotocol tokens (letters, digits and !#$%&'*+.^_`|~-)");
  }
  if (new Set(protocols).size !== protocols.length) return E.left('protocols must not repeat a subprotocol');
  if (target.options !== undefined && (typeof target.options !== 'object' || target.options === null)) {
    return E.left('options must be an object of ws client options');
  }
  const href = url.right.href;
  return E.right({
    url: href,
    headers: headers.right,
    protocols,
    options: target.options ?? {},
    safeUrl: redactUrl(url.right),
  });
}

/** Secrets of a target, to scrub from messages that came from a socket library. */
export function secretsOf(target: ResolvedTarget): string[] {
  const secrets: string[] = [];
  try {
    const u = new URL(target.url);
    if (u.username) secrets.push(u.username, decodeURIComponent(u.username));
    if (u.password) secrets.push(u.password, decodeURIComponent(u.password));
    if (u.search) {
      secrets.push(u.search.slice(1));
      for (const [k, v] of u.searchParams) secrets.push(v, encodeURIComponent(v), `${k}=${v}`);
    }
  } catch {
    /* resolveTarget only accepts parseable URLs */
  }
  for (const v of Object.values(target.headers)) secrets.push(...(Array.isArray(v) ? v : [v]));
  return secrets.filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
}

/** Replaces every secret in `message` with `<redacted>`. */
export function scrub(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('<redacted>');
  return out;
}

/** Maps a Node error code from a failed connect to a short reason. */
export function connectErrorReason(code: unknown, message: string): string {
  const c = typeof code === 'string' ? code : '';
  if (c === 'ECONNREFUSED') return 'econnrefused';
  if (c === 'ENOTFOUND' || c === 'EAI_AGAIN' || c === 'EAI_NONAME') return 'enotfound';
  if (c === 'ETIMEDOUT') return 'timeout';
  if (c === 'ECONNRESET' || c === 'EPIPE') return 'econnreset';
  if (c === 'EHOSTUNREACH' || c === 'ENETUNREACH') return 'unreachable';
  if (
    /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_OSSL)/.test(c) ||
    /certificate|TLS|SSL/i.test(message)
  )
    return 'tls';
  return c ? c.toLowerCase() : 'error';
}
