/**
 * What the socket code of both platforms shares: how a socket finds the
 * runtime that owns it, and the listener every socket has for `open`.
 */
import type WebSocket from 'isomorphic-ws';
import type { DisconnectReason, Frame } from './types.js';

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
  /** True when no callback is running or queued (what `minch/testing`'s `flush` waits for). */
  readonly settled: boolean;
  /** Removes the attempt's secrets (URL credentials, query, header values) from a message. */
  scrub(message: string): string;
}

export const OWNER = Symbol('minch.owner');
export type Socket = WebSocket & { [OWNER]?: SocketOwner };
/** A socket class as the adapter constructs it (`ws`'s options only where it has `ws`'s interface). */
export type SocketClass = new (url: string, protocols: string[], options?: WebSocket.ClientOptions) => Socket;

/** A binary payload as a `Uint8Array` (a Node `Buffer` is one; a browser's `ArrayBuffer` is wrapped). */
export function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(0);
}

/** The `open` listener of every socket (`this` is the socket). */
export function onOpen(this: Socket): void {
  this[OWNER]?.opened(this.protocol ?? '');
}
