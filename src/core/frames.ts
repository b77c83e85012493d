/**
 * Frame normalisation and validation (pure). Outgoing frames are checked
 * against RFC 6455 and the browser rules before they touch a socket, so an
 * invalid frame is a value (`Left`), never a throw from inside `ws`.
 */
import * as E from './either.js';
import type { Frame, SendError } from '../types.js';
import { invalidFrame as invalid } from './errors.js';

/** Control frame payloads are limited to 125 bytes (RFC 6455 §5.5). */
export const MAX_CONTROL_PAYLOAD = 125;
/** A close reason leaves 123 bytes once the 2-byte code is counted. */
export const MAX_CLOSE_REASON_BYTES = 123;

const encoder = new TextEncoder();

/** Number of bytes `s` takes in UTF-8. */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Close codes a client may send. Browsers accept only 1000 and 3000–4999;
 * `ws` would accept 1001–1014 too, so both runtimes use the browser rule.
 */
export function isSendableCloseCode(code: number): boolean {
  return Number.isInteger(code) && (code === 1000 || (code >= 3000 && code <= 4999));
}

/** Close codes a server may legally send (RFC 6455 §7.4). */
export function isValidReceivedCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999))
  );
}

/** Checks a close code and reason as a client may send them. */
export function validateClose(
  code: number | undefined,
  reason: string | undefined,
): E.Either<SendError, { code?: number; reason?: string }> {
  if (code === undefined) {
    if (reason !== undefined && reason !== '') return invalid('a close reason needs a close code');
    return E.right({});
  }
  if (typeof code !== 'number' || !isSendableCloseCode(code)) {
    return invalid(`close code ${String(code)} cannot be sent by a client: use 1000 or 3000-4999`);
  }
  if (reason !== undefined && typeof reason !== 'string') return invalid('close reason must be a string');
  if (reason !== undefined && utf8Length(reason) > MAX_CLOSE_REASON_BYTES) {
    return invalid(
      `close reason is ${utf8Length(reason)} bytes; at most ${MAX_CLOSE_REASON_BYTES} UTF-8 bytes are allowed`,
    );
  }
  return E.right(reason === undefined ? { code } : { code, reason });
}

function controlPayload(kind: 'ping' | 'pong', data: unknown): E.Either<SendError, Uint8Array | undefined> {
  if (data === undefined) return E.right(undefined);
  const bytes = typeof data === 'string' ? encoder.encode(data) : data instanceof Uint8Array ? data : undefined;
  if (bytes === undefined) return invalid(`${kind} data must be a Uint8Array`);
  if (bytes.byteLength > MAX_CONTROL_PAYLOAD) {
    return invalid(`${kind} payload is ${bytes.byteLength} bytes; control frames carry at most ${MAX_CONTROL_PAYLOAD}`);
  }
  return E.right(bytes);
}

/** A text frame with string data or a binary frame with `Uint8Array` data: valid as it is, nothing to build. */
export function isDataFrame(input: unknown): input is Extract<Frame, { type: 'text' | 'binary' }> {
  if (typeof input !== 'object' || input === null) return false;
  const frame = input as { type?: unknown; data?: unknown };
  return frame.type === 'text'
    ? typeof frame.data === 'string'
    : frame.type === 'binary' && frame.data instanceof Uint8Array;
}

/**
 * Turns a frame or shorthand into a valid `Frame`, or says which rule it breaks.
 *
 * @example normalizeFrame('ping') // Right({ type: 'ping' })
 */
export function normalizeFrame(input: unknown): E.Either<SendError, Frame> {
  if (isDataFrame(input)) return E.right(input);
  if (input === 'ping' || input === 'pong') return E.right({ type: input });
  if (input === 'close') return E.right({ type: 'close' });
  if (typeof input !== 'object' || input === null) {
    return invalid(`expected a frame object or 'ping' | 'pong' | 'close', got ${describe(input)}`);
  }
  const frame = input as { type?: unknown; data?: unknown; code?: unknown; reason?: unknown };
  switch (frame.type) {
    case 'text':
      return invalid('text frame data must be a string');
    case 'binary':
      return invalid('binary frame data must be a Uint8Array');
    case 'ping':
    case 'pong': {
      const type = frame.type;
      return E.map((data: Uint8Array | undefined): Frame => (data === undefined ? { type } : { type, data }))(
        controlPayload(type, frame.data),
      );
    }
    case 'close':
      return E.map((c: { code?: number; reason?: string }): Frame => ({ type: 'close', ...c }))(
        validateClose(frame.code as number | undefined, frame.reason as string | undefined),
      );
    default:
      return invalid(`unknown frame type ${describe(frame.type)}`);
  }
}

/** Frames of a `reply` result: one frame or a list, each normalised. */
export function normalizeFrames(input: unknown): E.Either<SendError, Frame[]> {
  const list = Array.isArray(input) ? input : [input];
  const out: Frame[] = [];
  for (const item of list) {
    const r = normalizeFrame(item);
    if (E.isLeft(r)) return r;
    out.push(r.right);
  }
  return E.right(out);
}

/** A short, payload-free description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length <= 20 ? JSON.stringify(value) : 'a string';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'undefined' ? 'undefined' : `${typeof value} ${String(value)}`;
}
