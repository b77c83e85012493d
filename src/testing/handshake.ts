/**
 * What the fake handshake computes as RFC 6455 §4 says, with no Node API: the
 * client's `Sec-WebSocket-Key`, the server's `Sec-WebSocket-Accept` (SHA-1,
 * base64), and the checks `ws` makes of a URL, subprotocols and close frames.
 */

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const utf8 = new TextEncoder();

function base64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** A random 16-byte key, base64, as a client sends it. */
export function clientKey(): string {
  const bytes = new Uint8Array(16);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return base64(bytes);
}

/** SHA-1 (FIPS 180-4) of `data`: 20 bytes. */
function sha1(data: Uint8Array): Uint8Array {
  const length = ((data.length + 8) >> 6) * 64 + 64;
  const m = new Uint8Array(length);
  m.set(data);
  m[data.length] = 0x80;
  const view = new DataView(m.buffer);
  view.setUint32(length - 4, data.length * 8);
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Uint32Array(80);
  for (let off = 0; off < length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 80; i++) {
      const x = (w[i - 3] as number) ^ (w[i - 8] as number) ^ (w[i - 14] as number) ^ (w[i - 16] as number);
      w[i] = (x << 1) | (x >>> 31);
    }
    let [a, b, c, d, e] = h as [number, number, number, number, number];
    for (let i = 0; i < 80; i++) {
      const f = i < 20 ? (b & c) | (~b & d) : i < 40 || i >= 60 ? b ^ c ^ d : (b & c) | (b & d) | (c & d);
      const k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc : 0xca62c1d6;
      const t = (((a << 5) | (a >>> 27)) + f + e + k + (w[i] as number)) >>> 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    h[0] = ((h[0] as number) + a) >>> 0;
    h[1] = ((h[1] as number) + b) >>> 0;
    h[2] = ((h[2] as number) + c) >>> 0;
    h[3] = ((h[3] as number) + d) >>> 0;
    h[4] = ((h[4] as number) + e) >>> 0;
  }
  const out = new Uint8Array(20);
  const outView = new DataView(out.buffer);
  h.forEach((word, i) => outView.setUint32(i * 4, word));
  return out;
}

/** The server's `Sec-WebSocket-Accept` for a client's key. */
export function acceptKey(key: string): string {
  return base64(sha1(utf8.encode(key + GUID)));
}

/** The URL as `ws` checks it: ws, wss, http or https, no fragment. Throws SyntaxError as `ws` does. */
export function checkUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new SyntaxError(`Invalid URL: ${String(url)}`);
  }
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(parsed.protocol)) {
    throw new SyntaxError(`The URL's protocol must be one of "ws:", "wss:", "http:", or "https:"`);
  }
  if (parsed.hash !== '') throw new SyntaxError('The URL contains a fragment identifier');
  return parsed;
}

const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`|a-z~]+$/;

/** The offered subprotocols as `ws` checks them: tokens, no duplicates. Throws SyntaxError as `ws` does. */
export function checkProtocols(protocols: string | string[] | undefined): string[] {
  const list = protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : [...protocols];
  if (list.some((p) => !TOKEN.test(p)) || new Set(list).size !== list.length) {
    throw new SyntaxError('An invalid or duplicated subprotocol was specified');
  }
  return list;
}

/** A close code an endpoint may send (RFC 6455 §7.4, as `ws` allows). */
export function isValidCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)
  );
}

/**
 * The payload of a close frame, checked as `ws` does (TypeError, RangeError):
 * no code is an empty frame (the peer sees 1005), and a reason without a code is dropped.
 */
export function closePayload(code: number | undefined, reason: string | undefined): { code: number; reason: string } {
  if (code === undefined) return { code: 1005, reason: '' };
  if (typeof code !== 'number' || !isValidCloseCode(code)) {
    throw new TypeError('First argument must be a valid error code number');
  }
  if (utf8.encode(reason ?? '').length > 123) throw new RangeError('The message must not be greater than 123 bytes');
  return { code, reason: reason ?? '' };
}

const decoder = new TextDecoder();

/**
 * Bytes as `ws` hands them to its listeners: a `Uint8Array` whose
 * `toString()` is its UTF-8 text, as a `Buffer`'s is (the adapter relies on it).
 */
export class Payload extends Uint8Array {
  override toString(): string {
    return decoder.decode(this);
  }
}

/** `bytes` seen as a `Payload`, without a copy. */
export const payloadOf = (bytes: Uint8Array): Payload =>
  new Payload(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);

/** UTF-8 bytes of a string, or a copy of binary data as a plain `Uint8Array`. */
export function bytesOf(data: unknown): Uint8Array {
  if (typeof data === 'string') return utf8.encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (data === undefined) return new Uint8Array(0);
  if (typeof data === 'number') return utf8.encode(String(data));
  throw new TypeError('the fake WebSocket sends strings, ArrayBuffers and typed arrays');
}

/** Node's message for a network error `code` on the way to `url`. */
export function networkMessage(code: string, url: URL): string {
  if (code === 'ECONNRESET') return 'socket hang up';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `getaddrinfo ${code} ${url.hostname}`;
  const port = url.port || (url.protocol === 'wss:' || url.protocol === 'https:' ? '443' : '80');
  return `connect ${code} ${url.hostname}:${port}`;
}

/** Header names in lower case, as Node gives them. */
export function lowerCase(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

/** The refusal as `ws` gives it to an `unexpected-response` listener: status, headers, a readable body. */
export function refusal(statusCode: number, headers: Record<string, string>, body: string) {
  const listeners: Record<string, ((chunk?: Uint8Array) => void)[]> = {};
  let flowing = false;
  const flow = (): void => {
    if (flowing) return;
    flowing = true;
    queueMicrotask(() => {
      if (body !== '') for (const f of listeners['data'] ?? []) f(bytesOf(body));
      for (const f of listeners['end'] ?? []) f();
    });
  };
  const res = {
    statusCode,
    headers,
    on(type: string, fn: (chunk?: Uint8Array) => void) {
      (listeners[type] ??= []).push(fn);
      if (type === 'data') flow();
      return res;
    },
    resume() {
      flow();
      return res;
    },
  };
  return res;
}
