/**
 * The shapes minch/testing's parts share: the upgrade request, a close, a
 * handshake's answer, and the fake client socket as a link drives it.
 */

export const DISPATCH = Symbol('minch.testing.dispatch');

/** The client socket as the link drives it. */
export interface ClientEnd {
  readyState: number;
  protocol: string;
  /** The largest message the client takes (`ws`'s `maxPayload`; 0 for no limit). */
  readonly maxPayload: number;
  /** The client answers pings by itself (`ws`'s `autoPong`). */
  readonly autoPong: boolean;
  /** Emits a `ws` event (`open`, `message`, `close`, ...) to its listeners and its `on*` handler. */
  [DISPATCH](type: string, ...args: unknown[]): void;
  listenerCount(type: string): number;
}

/** The upgrade request as the server sees it. */
export interface TestRequest {
  /** The URL the client opened. */
  readonly url: string;
  /** The request headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The subprotocols offered, in order. */
  readonly protocols: readonly string[];
}

/** A close frame's code and reason; 1005 for a frame with no code, 1006 when there was no close frame. */
export interface CloseInfo {
  /** The close code. */
  code: number;
  /** The close reason; '' when there was none. */
  reason: string;
}

/** How the server answers a handshake. */
export type HandshakeAnswer =
  | {
      /** Upgrade the connection (status 101). */
      type: 'accept';
      /** The subprotocol chosen; default the first offered. */
      protocol?: string;
      /** Extra response headers. */
      headers?: Record<string, string>;
    }
  | {
      /** Answer the upgrade request with another HTTP status. */
      type: 'refuse';
      /** The HTTP status, 100–599 but not 101. */
      status: number;
      /** The response headers. */
      headers?: Record<string, string>;
      /** The response body. */
      body?: string;
    }
  | {
      /** Fail before the upgrade, as a network error does. */
      type: 'fail';
      /** The error code the client sees. @default 'ECONNREFUSED' */
      code?: string;
    };
