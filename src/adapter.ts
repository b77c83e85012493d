/**
 * The socket adapter: the only code that touches a socket, from `isomorphic-ws`
 * (`ws` in Node, the native `WebSocket` in browsers). The machine opens one
 * socket per attempt and releases it when the attempt's `connection` state is
 * left; release removes the listeners and closes or terminates the socket, so
 * a stale socket can never send events to a newer connection.
 *
 * The listeners are shared functions, not closures per socket: each finds the
 * runtime that owns its socket through the socket itself.
 */
import WebSocket from 'isomorphic-ws';
import * as E from './core/either.js';
import { fromCallback } from 'xstate';
import type { EnvironmentEvent } from '../machines/events.js';
import { NOT_CONNECTED, RIGHT_VOID, unsupported } from './core/errors.js';
import { isSendableCloseCode } from './core/frames.js';
import { DEFAULTS } from './core/options.js';
import { connectErrorReason, type ResolvedTarget } from './core/target.js';
import type { DisconnectReason, Frame, SendError } from './types.js';

/** True where `isomorphic-ws` resolved to the Node `ws` package. */
export const isNodeWs = typeof (WebSocket as unknown as { prototype: { on?: unknown } }).prototype.on === 'function';
const noop = (): void => {};

/** What a socket reports to the runtime that owns it. */
export interface SocketOwner {
  /** The upgrade response (Node), kept until the socket opens. */
  upgraded(status: number, headers: Record<string, string | string[]>): void;
  opened(protocol: string): void;
  /** `bytes` is the payload's size on the wire (Node), for diagnostics. */
  received(frame: Frame, bytes: number): void;
  /** A frame that proves the peer alive but is not for `handleFrame` (a ping, a heartbeat pong). */
  alive(): void;
  /** The socket ended or failed; later events of this socket are ignored. */
  ended(reason: DisconnectReason): void;
  /** True once the socket has opened. */
  readonly isOpen: boolean;
  /** Removes the attempt's secrets (URL credentials, query, header values) from a message. */
  scrub(message: string): string;
}

const OWNER = Symbol('minch.owner');
type Socket = WebSocket & { [OWNER]?: SocketOwner };
const HEARTBEAT_PREFIX = 'minch:hb:';
let probes = 0;

function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data)) return toBytes(Buffer.concat(data as Buffer[]));
  return new Uint8Array(0);
}

type NodeHeaders = Record<string, string | string[] | undefined>;

function cleanHeaders(headers: NodeHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = v;
  return out;
}

// ---- the listeners, shared by every Node socket (`this` is the socket); `onOpen` by browser ones too ----

function onUpgrade(this: Socket, res: { statusCode?: number; headers: NodeHeaders }): void {
  this[OWNER]?.upgraded(res.statusCode ?? 101, cleanHeaders(res.headers));
}
function onOpen(this: Socket): void {
  this[OWNER]?.opened(this.protocol ?? '');
}
function onMessage(this: Socket, data: Buffer, isBinary: boolean): void {
  const frame: Frame = isBinary ? { type: 'binary', data: toBytes(data) } : { type: 'text', data: data.toString() };
  this[OWNER]?.received(frame, data.length);
}
function onPing(this: Socket): void {
  this[OWNER]?.alive();
}
function onPong(this: Socket, data: Buffer): void {
  const owner = this[OWNER];
  if (owner === undefined) return;
  if (data.length > HEARTBEAT_PREFIX.length && data.toString('latin1').startsWith(HEARTBEAT_PREFIX)) owner.alive();
  else owner.received({ type: 'pong', data: toBytes(data) }, data.length);
}
function onClose(this: Socket, code: number, reason: Buffer): void {
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

// ---- and by every browser socket ----

function onBrowserMessage(this: Socket, ev: { data: unknown }): void {
  const data = ev.data;
  // Browsers publish no diagnostics, so the size is not worked out.
  this[OWNER]?.received(typeof data === 'string' ? { type: 'text', data } : { type: 'binary', data: toBytes(data) }, 0);
}
function onBrowserClose(this: Socket, ev: { code: number; reason: string }): void {
  this[OWNER]?.ended({ type: 'closed', code: ev.code, reason: ev.reason });
}
function onBrowserError(this: Socket): void {
  const owner = this[OWNER];
  if (owner === undefined || owner.isOpen) return;
  const message = 'the browser refused or failed the connection (browsers do not say why)';
  owner.ended({ type: 'connect_error', reason: 'error', message });
}

/**
 * Opens a socket to `target` for `owner`. When none can be made (browsers
 * cannot send headers; `ws` refuses the URL), tells the owner why and returns null.
 */
export function openSocket(owner: SocketOwner, target: ResolvedTarget): WebSocket | null {
  if (!isNodeWs && Object.keys(target.headers).length > 0) {
    const message =
      'browsers cannot send custom headers with the WebSocket upgrade; ' +
      'use a subprotocol or a short-lived query token instead';
    owner.ended({ type: 'connect_error', reason: 'unsupported', message });
    return null;
  }
  let ws: Socket;
  try {
    ws = isNodeWs
      ? new WebSocket(target.url, target.protocols, {
          maxPayload: DEFAULTS.maxPayload,
          ...target.options,
          headers: { ...(target.options.headers as object | undefined), ...target.headers },
        } as WebSocket.ClientOptions)
      : new WebSocket(target.url, target.protocols);
  } catch (err) {
    const message = owner.scrub(err instanceof Error ? err.message : String(err));
    owner.ended({ type: 'connect_error', reason: 'invalid_target', message });
    return null;
  }
  ws[OWNER] = owner;
  if (isNodeWs) {
    ws.binaryType = 'nodebuffer';
    ws.on('upgrade', onUpgrade);
    ws.on('unexpected-response', onUnexpectedResponse);
    ws.on('open', onOpen);
    ws.on('message', onMessage);
    ws.on('ping', onPing);
    ws.on('pong', onPong);
    ws.on('close', onClose);
    ws.on('error', onError);
  } else {
    ws.binaryType = 'arraybuffer';
    ws.onopen = onOpen;
    ws.onmessage = onBrowserMessage;
    ws.onclose = onBrowserClose;
    ws.onerror = onBrowserError;
  }
  return ws;
}

/** Writes a data or control frame; `Left` if the socket is not open or cannot send it. */
export function writeFrame(ws: WebSocket, frame: Frame): E.Either<SendError, void> {
  if (ws.readyState !== 1) return NOT_CONNECTED;
  switch (frame.type) {
    case 'text':
    case 'binary':
      ws.send(frame.data);
      return RIGHT_VOID;
    case 'ping':
    case 'pong':
      if (!isNodeWs) {
        return unsupported(`browsers cannot send ${frame.type} frames; use an application-level frame instead`);
      }
      if (frame.type === 'ping') ws.ping(frame.data ?? new Uint8Array(0));
      else ws.pong(frame.data ?? new Uint8Array(0));
      return RIGHT_VOID;
    case 'close':
      closeSocket(ws, frame.code ?? DEFAULTS.closeCode, frame.reason ?? '');
      return RIGHT_VOID;
  }
}

/** Starts the closing handshake (or abandons a handshake still in progress). */
export function closeSocket(ws: WebSocket, code: number, reason: string): void {
  // Browsers refuse other codes from a client (InvalidAccessError), 1001 among them; ws sends them.
  if (ws.readyState === 1) ws.close(isNodeWs || isSendableCloseCode(code) ? code : DEFAULTS.closeCode, reason);
  else if (ws.readyState === 0) ws.close();
}

/** Sends a heartbeat ping whose pong `onPong` recognises; its payload size, or -1 if the socket is not open. */
export function pingSocket(ws: WebSocket): number {
  if (ws.readyState !== 1) return -1;
  const payload = `${HEARTBEAT_PREFIX}${++probes}`;
  ws.ping(payload);
  return payload.length;
}

/** Stops or resumes reading (TCP backpressure). False where it cannot (browsers). */
export function setSocketReading(ws: WebSocket, reading: boolean): boolean {
  if (!isNodeWs) return false;
  if (reading) ws.resume();
  else ws.pause();
  return true;
}

/** Detaches the socket from its owner, removes its listeners and closes or terminates it. */
export function releaseSocket(ws: WebSocket): void {
  const socket = ws as Socket;
  socket[OWNER] = undefined;
  if (isNodeWs) {
    ws.removeAllListeners();
    // A late 'error' from the dying socket must not become an uncaught exception.
    ws.on('error', noop);
    if (ws.readyState !== 3) ws.terminate();
  } else {
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    if (ws.readyState < 2) ws.close();
  }
}

/**
 * Turns the browser's `offline`, `online` and `visibilitychange` (hidden, then
 * visible) events into machine events. Does nothing in Node.
 */
export const environmentLogic = fromCallback<EnvironmentEvent>(({ sendBack }) => {
  type Target = {
    addEventListener(t: string, f: () => void): void;
    removeEventListener(t: string, f: () => void): void;
  };
  const g = globalThis as Partial<Target> & { document?: Target & { visibilityState?: string } };
  if (isNodeWs || typeof g.addEventListener !== 'function') return noop;
  const win = g as Target;
  const offline = (): void => sendBack({ type: 'env.offline' });
  const online = (): void => sendBack({ type: 'env.online' });
  const doc = g.document;
  let wasHidden = false;
  const visibility = (): void => {
    if (doc?.visibilityState === 'hidden') wasHidden = true;
    else if (wasHidden) {
      wasHidden = false;
      sendBack({ type: 'env.visible' });
    }
  };
  win.addEventListener('offline', offline);
  win.addEventListener('online', online);
  doc?.addEventListener('visibilitychange', visibility);
  return () => {
    win.removeEventListener('offline', offline);
    win.removeEventListener('online', online);
    doc?.removeEventListener('visibilitychange', visibility);
  };
});
