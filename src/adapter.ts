/**
 * The socket adapter: the only code that touches a socket. One invoked actor
 * owns exactly one socket from `isomorphic-ws` (`ws` in Node, the native
 * `WebSocket` in browsers) and turns its events into machine events. Its
 * cleanup removes the listeners and closes or terminates the socket, so a
 * stale socket can never send events to a newer connection.
 */
import WebSocket from 'isomorphic-ws';
import { either as E } from 'fp-ts';
import { fromCallback, type AnyActorRef } from 'xstate';
import { normalizeFrame } from './core/frames.js';
import { DEFAULTS } from './core/options.js';
import { connectErrorReason, scrub, secretsOf } from './core/target.js';
import { RIGHT_VOID, runtimeOf, type SocketHandle } from './runtime.js';
import type { DisconnectReason, Frame, HeartbeatOptions, SendError, UpgradeResponse } from './types.js';

/** True where `isomorphic-ws` resolved to the Node `ws` package. */
export const isNodeWs = typeof (WebSocket as unknown as { prototype: { on?: unknown } }).prototype.on === 'function';
const noop = (): void => {};

/** Events the socket actor sends to its parent. */
export type SocketEvent =
  | { type: 'socket.open'; generation: number; response: UpgradeResponse }
  | { type: 'socket.closed'; generation: number; reason: DisconnectReason };

/** Events the socket actor receives. */
export type SocketCommand = { type: 'socket.close'; code: number; reason: string } | { type: 'socket.terminate' } | { type: 'socket.probe' };

/** Events of the runtime environment (browser connectivity and page visibility). */
export type EnvironmentEvent = { type: 'env.offline' } | { type: 'env.online' } | { type: 'env.visible' };

/**
 * Turns the browser's `offline`, `online` and `visibilitychange` (hidden, then
 * visible) events into machine events. Does nothing in Node.
 */
export const environmentLogic = fromCallback<EnvironmentEvent>(({ sendBack }) => {
  const g = globalThis as { addEventListener?: (t: string, f: () => void) => void; removeEventListener?: (t: string, f: () => void) => void; document?: { visibilityState?: string; addEventListener(t: string, f: () => void): void; removeEventListener(t: string, f: () => void): void } };
  if (isNodeWs || typeof g.addEventListener !== 'function') return noop;
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
  g.addEventListener('offline', offline);
  g.addEventListener('online', online);
  doc?.addEventListener('visibilitychange', visibility);
  return () => {
    g.removeEventListener?.('offline', offline);
    g.removeEventListener?.('online', online);
    doc?.removeEventListener('visibilitychange', visibility);
  };
});

export interface SocketInput {
  /** The client actor that owns this socket; its runtime receives the frames. */
  owner: AnyActorRef;
  generation: number;
  heartbeat: HeartbeatOptions | false;
}

const NOT_CONNECTED: E.Either<SendError, never> = E.left({ type: 'not_connected' });
const HEARTBEAT_PREFIX = 'minch:hb:';


function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data)) return toBytes(Buffer.concat(data as Buffer[]));
  return new Uint8Array(0);
}

/**
 * Builds the socket actor logic for one client runtime. It reads the target of
 * the current attempt from the runtime (so headers and tokens never travel in
 * events, inputs or snapshots) and delivers data frames to the runtime's
 * mailbox directly: the lean path that spares each frame a transition.
 */
export const socketLogic = fromCallback<SocketCommand, SocketInput, SocketEvent>(({ input, sendBack, receive }) => {
    const { generation, heartbeat } = input;
    const runtime = runtimeOf(input.owner);
    if (runtime === undefined) throw new Error('a Minch socket actor needs a client actor with a runtime');
    const target = runtime.target;
    let finished = false;
    let opened = false;
    /** The upgrade response until the socket opens; then dropped, so an idle connection does not keep its headers. */
    let response: UpgradeResponse | null = { status: 101, headers: {}, protocol: '' };
    let hbTimer: ReturnType<typeof setTimeout> | undefined;
    let hbPending = false;
    let hbSeq = 0;

    const finish = (reason: DisconnectReason): void => {
      if (finished) return;
      finished = true;
      if (hbTimer !== undefined) clearTimeout(hbTimer);
      runtime.socket = null;
      sendBack({ type: 'socket.closed', generation, reason });
    };

    if (target === null) {
      finish({ type: 'connect_error', reason: 'invalid_target', message: 'no connect target' });
      return noop;
    }
    // Only error messages need scrubbing: find the secrets then, not on every attempt.
    const scrubbed = (message: string): string => scrub(message, secretsOf(target));
    if (!isNodeWs && Object.keys(target.headers).length > 0) {
      finish({
        type: 'connect_error',
        reason: 'unsupported',
        message: 'browsers cannot send custom headers with the WebSocket upgrade; use a subprotocol or a short-lived query token instead',
      });
      return noop;
    }

    let ws: WebSocket;
    try {
      ws = isNodeWs
        ? new WebSocket(target.url, target.protocols, {
            maxPayload: DEFAULTS.maxPayload,
            ...target.options,
            headers: { ...(target.options.headers as object | undefined), ...target.headers },
          } as WebSocket.ClientOptions)
        : new WebSocket(target.url, target.protocols);
    } catch (err) {
      finish({ type: 'connect_error', reason: 'invalid_target', message: scrubbed(err instanceof Error ? err.message : String(err)) });
      return noop;
    }
    ws.binaryType = isNodeWs ? 'nodebuffer' : 'arraybuffer';

    const handle: SocketHandle = {
      write(frame: Frame): E.Either<SendError, void> {
        if (ws.readyState !== 1) return NOT_CONNECTED;
        switch (frame.type) {
          case 'text':
          case 'binary':
            ws.send(frame.data);
            return RIGHT_VOID;
          case 'ping':
          case 'pong':
            if (!isNodeWs) return E.left({ type: 'unsupported', message: `browsers cannot send ${frame.type} frames; use an application-level frame instead` });
            if (frame.type === 'ping') ws.ping(frame.data ?? new Uint8Array(0));
            else ws.pong(frame.data ?? new Uint8Array(0));
            return RIGHT_VOID;
          case 'close':
            ws.close(frame.code ?? 1000, frame.reason);
            return RIGHT_VOID;
        }
      },
      setReading(reading: boolean): boolean {
        if (!isNodeWs) return false;
        if (reading) {
          ws.resume();
          if (heartbeat !== false && hbTimer === undefined && !finished) scheduleHeartbeat(heartbeat);
        } else {
          ws.pause();
          // Nothing is read while paused, so the peer's pongs cannot count: no heartbeat meanwhile.
          if (hbTimer !== undefined) clearTimeout(hbTimer);
          hbTimer = undefined;
          hbPending = false;
        }
        return true;
      },
    };

    const alive = (): void => {
      hbPending = false;
    };
    const heartbeatFrame = heartbeat !== false && heartbeat.frame !== undefined ? normalizeFrame(heartbeat.frame) : undefined;
    /** Sends one probe (a ping, or the configured frame) and waits `timeoutMs` for any frame. */
    const probe = (hb: HeartbeatOptions): void => {
      if (finished || ws.readyState !== 1) return;
      hbPending = true;
      if (heartbeatFrame !== undefined && E.isRight(heartbeatFrame)) handle.write(heartbeatFrame.right);
      else ws.ping(`${HEARTBEAT_PREFIX}${++hbSeq}`);
      hbTimer = setTimeout(() => {
        // Answered: the next probe is due `intervalMs` after this one was sent (one probe outstanding at most).
        if (!hbPending) return scheduleHeartbeat(hb, Math.max(0, hb.intervalMs - hb.timeoutMs));
        if (isNodeWs) ws.terminate();
        else ws.close();
        finish({ type: 'heartbeat_timeout' });
      }, hb.timeoutMs);
    };
    const scheduleHeartbeat = (hb: HeartbeatOptions, delayMs = hb.intervalMs): void => {
      hbTimer = setTimeout(() => probe(hb), delayMs);
    };

    const onOpen = (): void => {
      opened = true;
      const opening: UpgradeResponse = { status: 101, headers: {}, ...response, protocol: ws.protocol ?? '' };
      response = null;
      if (isNodeWs) {
        ws.removeListener('upgrade', onUpgrade);
        ws.removeListener('unexpected-response', onUnexpectedResponse);
      }
      runtime.opened(handle);
      if (heartbeat !== false) scheduleHeartbeat(heartbeat);
      sendBack({ type: 'socket.open', generation, response: opening });
    };
    const onMessage = (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void => {
      hbPending = false;
      runtime.deliverFrame(
        isBinary ? { type: 'binary', data: toBytes(data) } : { type: 'text', data: Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(toBytes(data)).toString('utf8') },
      );
    };
    const onPong = (data: Buffer): void => {
      hbPending = false;
      if (data.length > HEARTBEAT_PREFIX.length && data.toString('latin1').startsWith(HEARTBEAT_PREFIX)) return;
      runtime.deliverFrame({ type: 'pong', data: toBytes(data) });
    };
    const onClose = (code: number, reason: Buffer): void => {
      finish({ type: 'closed', code, reason: reason.toString('utf8') });
    };
    const onError = (err: Error & { code?: string }): void => {
      if (finished) return;
      // After a protocol error ws sends a close frame and waits up to 30 s for
      // a peer that may never answer: end the connection at once instead.
      ws.terminate();
      const message = scrubbed(err.message);
      finish(opened ? { type: 'closed', code: 1006, reason: message } : { type: 'connect_error', reason: connectErrorReason(err.code, err.message), message });
    };
    const onUpgrade = (res: { statusCode?: number; headers: Record<string, string | string[] | undefined> }): void => {
      response = { status: res.statusCode ?? 101, headers: cleanHeaders(res.headers), protocol: '' };
    };
    const onUnexpectedResponse = (_req: unknown, res: { statusCode?: number; headers: Record<string, string | string[] | undefined>; resume(): void }): void => {
      const status = res.statusCode ?? 0;
      const headers = cleanHeaders(res.headers);
      res.resume();
      // With this listener ws never closes the socket by itself.
      ws.terminate();
      finish({ type: 'upgrade_failed', status, headers });
    };

    if (isNodeWs) {
      ws.on('open', onOpen);
      ws.on('message', onMessage);
      ws.on('ping', alive);
      ws.on('pong', onPong);
      ws.on('close', onClose);
      ws.on('error', onError);
      ws.on('upgrade', onUpgrade);
      ws.on('unexpected-response', onUnexpectedResponse);
    } else {
      ws.onopen = onOpen;
      ws.onmessage = (ev: { data: unknown }) => {
        hbPending = false;
        runtime.deliverFrame(typeof ev.data === 'string' ? { type: 'text', data: ev.data } : { type: 'binary', data: toBytes(ev.data) });
      };
      ws.onclose = (ev: { code: number; reason: string }) => finish({ type: 'closed', code: ev.code, reason: ev.reason });
      ws.onerror = () => {
        if (!opened) finish({ type: 'connect_error', reason: 'error', message: 'the browser refused or failed the connection (browsers do not say why)' });
      };
    }

    receive((command) => {
      if (command.type === 'socket.close') {
        // Browsers refuse 1001 from a client (InvalidAccessError); ws sends it.
        if (ws.readyState === 1) ws.close(command.code === 1001 && !isNodeWs ? 1000 : command.code, command.reason);
        else if (ws.readyState === 0) ws.close();
      } else if (command.type === 'socket.probe') {
        // A page visible again after being hidden: check the connection now.
        if (heartbeat !== false && !hbPending) {
          if (hbTimer !== undefined) clearTimeout(hbTimer);
          probe(heartbeat);
        }
      } else if (isNodeWs) ws.terminate();
      else ws.close();
    });

    return () => {
      if (hbTimer !== undefined) clearTimeout(hbTimer);
      if (runtime.socket === handle) runtime.socket = null;
      finished = true;
      if (isNodeWs) {
        ws.removeAllListeners();
        // A late 'error' from the dying socket must not become an uncaught exception.
        ws.on('error', noop);
        if (ws.readyState !== 3) ws.terminate();
      } else {
        ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
        if (ws.readyState < 2) ws.close();
      }
    };
});

function cleanHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = v;
  return out;
}
