/**
 * The socket adapter: what the runtime calls to open, write to, ping, pause and
 * release a socket. The class is the client's `WebSocket` option, or
 * `isomorphic-ws` (`ws` in Node, the native `WebSocket` in browsers). A socket
 * is driven through one of two interfaces: `ws`'s, in Node, for a class that
 * has it (./nodeSocket.js), or the WHATWG one (here) for any other class, and
 * for every class in browser bundles. The machine opens one socket per attempt
 * and releases it when the attempt's `connection` state is left; release
 * removes the listeners and closes or terminates the socket, so a stale socket
 * can never send events to a newer connection.
 *
 * The listeners are shared functions, not closures per socket: each finds the
 * runtime that owns its socket through the socket itself (./socketOwner.js).
 */
import WebSocket from 'isomorphic-ws';
import * as E from './core/either.js';
import { fromCallback } from 'xstate';
import type { EnvironmentEvent } from '../machines/events.js';
import { NOT_CONNECTED, RIGHT_VOID, unsupported } from './core/errors.js';
import { isSendableCloseCode } from './core/frames.js';
import { DEFAULTS } from './core/options.js';
import type { ResolvedTarget } from './core/target.js';
import {
  listenNodeSocket,
  nodeOptions,
  pingNodeSocket,
  releaseNodeSocket,
  sendControl,
  setNodeReading,
} from './nodeSocket.js';
import { onOpen, OWNER, toBytes, type Socket, type SocketClass, type SocketOwner } from './socketOwner.js';
import type { Frame, SendError, WebSocketClass } from './types.js';

export type { SocketOwner };

/** True for a class with `ws`'s interface (`ws`, a subclass, the fake of `minch/testing`). */
const hasWsInterface = (Class: unknown): boolean =>
  typeof (Class as { prototype?: { on?: unknown } } | null)?.prototype?.on === 'function';

/** True where `isomorphic-ws` resolved to the Node `ws` package: the platform is Node. */
export const isNodeWs = hasWsInterface(WebSocket);

/** True if `Class` (default `isomorphic-ws`) has `ws`'s interface, in Node: it takes `ws`'s options and can ping. */
export function drivesWs(Class: WebSocketClass | undefined): boolean {
  return isNodeWs && (Class === undefined || hasWsInterface(Class));
}

/** Who cannot do what only `ws`'s interface can, for messages. */
const WHATWG_SOCKETS = isNodeWs ? 'a WHATWG-style WebSocket' : 'browsers';

/** True if this socket is driven through `ws`'s interface: decided by the instance, in Node only. */
const isWsDriven = (ws: WebSocket): boolean => isNodeWs && typeof (ws as { on?: unknown }).on === 'function';

const noop = (): void => {};

// ---- the listeners of every browser socket (`this` is the socket; `onOpen` is shared) ----

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
  const message = isNodeWs
    ? 'the WebSocket refused or failed the connection (a WHATWG-style WebSocket does not say why)'
    : 'the browser refused or failed the connection (browsers do not say why)';
  owner.ended({ type: 'connect_error', reason: 'error', message });
}

/**
 * Opens a socket of `Class` (default `isomorphic-ws`) to `target` for `owner`.
 * When none can be made (a WHATWG socket cannot send headers; the class
 * refuses the URL), tells the owner why and returns null.
 */
export function openSocket(owner: SocketOwner, target: ResolvedTarget, Class?: WebSocketClass): WebSocket | null {
  const wsOptions = drivesWs(Class);
  if (!wsOptions && Object.keys(target.headers).length > 0) {
    const message =
      `${WHATWG_SOCKETS} cannot send custom headers with the WebSocket upgrade; ` +
      'use a subprotocol or a short-lived query token instead';
    owner.ended({ type: 'connect_error', reason: 'unsupported', message });
    return null;
  }
  const Socket = (Class ?? WebSocket) as unknown as SocketClass;
  let ws: Socket;
  try {
    ws = wsOptions
      ? new Socket(target.url, target.protocols, nodeOptions(target))
      : new Socket(target.url, target.protocols);
  } catch (err) {
    const message = owner.scrub(err instanceof Error ? err.message : String(err));
    owner.ended({ type: 'connect_error', reason: 'invalid_target', message });
    return null;
  }
  ws[OWNER] = owner;
  // The instance decides, as in every later call: a factory function may return a `ws` socket.
  if (isWsDriven(ws)) listenNodeSocket(ws);
  else {
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
      if (!isWsDriven(ws)) {
        return unsupported(
          `${WHATWG_SOCKETS} cannot send ${frame.type} frames; use an application-level frame instead`,
        );
      }
      sendControl(ws, frame);
      return RIGHT_VOID;
    case 'close':
      closeSocket(ws, frame.code ?? DEFAULTS.closeCode, frame.reason ?? '');
      return RIGHT_VOID;
  }
}

/** Starts the closing handshake (or abandons a handshake still in progress). */
export function closeSocket(ws: WebSocket, code: number, reason: string): void {
  // Browsers refuse other codes from a client (InvalidAccessError), 1001 among them; ws sends them.
  if (ws.readyState === 1) ws.close(isWsDriven(ws) || isSendableCloseCode(code) ? code : DEFAULTS.closeCode, reason);
  else if (ws.readyState === 0) ws.close();
}

/**
 * Sends a heartbeat ping whose pong the socket recognises; its payload size,
 * or -1 if the socket is not open or cannot ping (browsers).
 */
export function pingSocket(ws: WebSocket): number {
  return isWsDriven(ws) ? pingNodeSocket(ws) : -1;
}

/** Stops or resumes reading (TCP backpressure). False where it cannot (browsers). */
export function setSocketReading(ws: WebSocket, reading: boolean): boolean {
  if (!isWsDriven(ws)) return false;
  setNodeReading(ws, reading);
  return true;
}

/** Detaches the socket from its owner, removes its listeners and closes or terminates it. */
export function releaseSocket(ws: WebSocket): void {
  const socket = ws as Socket;
  socket[OWNER] = undefined;
  if (isWsDriven(ws)) releaseNodeSocket(ws);
  else {
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
