/**
 * The socket code only Node's `ws` runs: its constructor options, its events
 * (upgrade, unexpected-response, ping, pong), protocol pings, pausing and
 * terminating. src/adapter.ts calls it in Node only, for a class with `ws`'s
 * interface. Browser bundles get ./nodeSocket.browser.js instead (the `browser`
 * field of package.json), so none of it reaches them.
 *
 * `ws` gives payloads as `Buffer`s, whose `toString()` is their UTF-8 text; a
 * class with its interface gives `Uint8Array`s that keep that contract (the
 * fake socket of `minch/testing` does), so the text path stays one call.
 * The listeners are shared functions (`this` is the socket), not closures per socket.
 */
import type WebSocket from 'isomorphic-ws';
import { DEFAULTS } from './core/options.js';
import { connectErrorReason, type ResolvedTarget } from './core/target.js';
import { onOpen, OWNER, toBytes, type Socket } from './socketOwner.js';
import type { Frame } from './types.js';

const HEARTBEAT_PREFIX = 'minch:hb:';
const PREFIX_BYTES = new TextEncoder().encode(HEARTBEAT_PREFIX);
let probes = 0;
const noop = (): void => {};

/** True for the payload of a heartbeat ping's pong: the prefix and a probe number. */
function isHeartbeat(data: Uint8Array): boolean {
  if (data.length <= PREFIX_BYTES.length) return false;
  for (let i = 0; i < PREFIX_BYTES.length; i++) if (data[i] !== PREFIX_BYTES[i]) return false;
  return true;
}

type NodeHeaders = Record<string, string | string[] | undefined>;

function cleanHeaders(headers: NodeHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = v;
  return out;
}

function onUpgrade(this: Socket, res: { statusCode?: number; headers: NodeHeaders }): void {
  this[OWNER]?.upgraded(res.statusCode ?? 101, cleanHeaders(res.headers));
}
function onMessage(this: Socket, data: Uint8Array, isBinary: boolean): void {
  const frame: Frame = isBinary ? { type: 'binary', data: toBytes(data) } : { type: 'text', data: data.toString() };
  this[OWNER]?.received(frame, data.length);
}
function onPing(this: Socket): void {
  this[OWNER]?.alive();
}
function onPong(this: Socket, data: Uint8Array): void {
  const owner = this[OWNER];
  if (owner === undefined) return;
  if (isHeartbeat(data)) owner.alive();
  else owner.received({ type: 'pong', data: toBytes(data) }, data.length);
}
function onClose(this: Socket, code: number, reason: Uint8Array): void {
  this[OWNER]?.ended({ type: 'closed', code, reason: reason.toString() });
}
function onError(this: Socket, err: Error & { code?: string }): void {
  const owner = this[OWNER];
  if (owner === undefined) return;
  // After a protocol error ws sends a close frame and waits up to 30 s for a
  // peer that may never answer: end the connection at once instead.
  this.terminate();
  const message = owner.scrub(err.message);
  owner.ended(
    owner.isOpen
      ? { type: 'closed', code: 1006, reason: message }
      : { type: 'connect_error', reason: connectErrorReason(err.code, err.message), message },
  );
}
function onUnexpectedResponse(
  this: Socket,
  _req: unknown,
  res: { statusCode?: number; headers: NodeHeaders; resume(): void },
): void {
  res.resume();
  // With this listener ws never closes the socket by itself.
  this.terminate();
  this[OWNER]?.ended({ type: 'upgrade_failed', status: res.statusCode ?? 0, headers: cleanHeaders(res.headers) });
}

/** The `ws` options of an attempt: its headers on top of `connect(state)`'s options and our `maxPayload`. */
export function nodeOptions(target: ResolvedTarget): WebSocket.ClientOptions {
  return {
    maxPayload: DEFAULTS.maxPayload,
    ...target.options,
    headers: { ...(target.options.headers as object | undefined), ...target.headers },
  } as WebSocket.ClientOptions;
}

/** Listens to a socket with `ws`'s interface, payloads as `Buffer`s. */
export function listenNodeSocket(ws: Socket): void {
  ws.binaryType = 'nodebuffer';
  ws.on('upgrade', onUpgrade);
  ws.on('unexpected-response', onUnexpectedResponse);
  ws.on('open', onOpen);
  ws.on('message', onMessage);
  ws.on('ping', onPing);
  ws.on('pong', onPong);
  ws.on('close', onClose);
  ws.on('error', onError);
}

/** Writes a ping or pong frame to an open socket (src/adapter.ts's `writeFrame` checked it is). */
export function sendControl(ws: WebSocket, frame: Extract<Frame, { type: 'ping' | 'pong' }>): void {
  if (frame.type === 'ping') ws.ping(frame.data ?? new Uint8Array(0));
  else ws.pong(frame.data ?? new Uint8Array(0));
}

/** Sends a heartbeat ping whose pong `onPong` recognises; its payload size, or -1 if the socket is not open. */
export function pingNodeSocket(ws: WebSocket): number {
  if (ws.readyState !== 1) return -1;
  const payload = `${HEARTBEAT_PREFIX}${++probes}`;
  ws.ping(payload);
  return payload.length;
}

/** Stops or resumes reading (TCP backpressure). */
export function setNodeReading(ws: WebSocket, reading: boolean): void {
  if (reading) ws.resume();
  else ws.pause();
}

/** Removes the socket's listeners and terminates it. */
export function releaseNodeSocket(ws: WebSocket): void {
  ws.removeAllListeners();
  // A late 'error' from the dying socket must not become an uncaught exception.
  ws.on('error', noop);
  if (ws.readyState !== 3) ws.terminate();
}
