/**
 * Public types of Minch: frames, callback results, disconnect reasons and the
 * callback object (`MinchClient`) that a user writes.
 */

/** A WebSocket frame as received by `handleFrame` or given to `sendFrame`. */
export type Frame =
  | {
      /** A text frame. */
      type: 'text';
      /** The text. */
      data: string;
    }
  | {
      /** A binary frame. */
      type: 'binary';
      /** The bytes. */
      data: Uint8Array;
    }
  | {
      /** A ping, for sending (Node only); received pings are answered without `handleFrame`. */
      type: 'ping';
      /** At most 125 bytes. */
      data?: Uint8Array;
    }
  | {
      /** A pong (Node only). The heartbeat's own pongs never reach `handleFrame`. */
      type: 'pong';
      /** At most 125 bytes. */
      data?: Uint8Array;
    }
  | {
      /** A close frame: sending one starts the closing handshake. */
      type: 'close';
      /** 1000 or 3000–4999 when sent. @default 1000 */
      code?: number;
      /** At most 123 UTF-8 bytes; only with a `code`. */
      reason?: string;
    };

/** What may be sent: a frame, or the shorthands `'ping' | 'pong' | 'close'`. */
export type FrameInput = Frame | 'ping' | 'pong' | 'close';

/** Why `sendFrame` refused a frame. Nothing is sent when it returns `Left`. */
export type SendError =
  | {
      /** The client is not open, and the frame was not queued: no `outbox`, a close frame, or stopping. */
      type: 'not_connected';
    }
  | {
      /** The frame breaks a rule of the protocol or of browsers (a close code, a payload size). */
      type: 'invalid_frame';
      /** Which rule, without the frame's payload. */
      message: string;
    }
  | {
      /** This runtime cannot send it: browsers send no ping or pong frames. */
      type: 'unsupported';
      /** What cannot be sent. */
      message: string;
    }
  /** Only with the opt-in `outbox` option and `overflow: 'reject'`. */
  | {
      /** The outbox holds `max` frames already. */
      type: 'outbox_full';
      /** Says how many frames it holds. */
      message: string;
    };

/**
 * Why a connection ended, or never started. Tagged by `type`; never tell them
 * apart by message strings. JSON-serialisable and free of secrets.
 */
export type DisconnectReason =
  | {
      /** The connection closed, with a close frame or without one (code 1006). */
      type: 'closed';
      /** The close code; 1006 when no close frame was received. */
      code: number;
      /** The close reason; with 1006, what ended the connection, if known. */
      reason: string;
    }
  | {
      /** No connection was made: the attempt failed before the upgrade. */
      type: 'connect_error';
      /** A short code: `'timeout'`, `'econnrefused'`, `'enotfound'`, `'tls'`, `'offline'`, `'aborted'`, ... */
      reason: string;
      /** What went wrong, for logs. */
      message: string;
    }
  | {
      /** The server answered the upgrade request with a status other than 101 (Node only). */
      type: 'upgrade_failed';
      /** The HTTP status. */
      status: number;
      /** The response headers, names in lower case. */
      headers: Record<string, string | string[]>;
    }
  | {
      /** No frame came from the peer within `heartbeat.timeoutMs` after a probe. */
      type: 'heartbeat_timeout';
    };

/**
 * A WebSocket class for the `WebSocket` option: one with the WHATWG interface
 * (the browser's, undici's) or `ws`'s (a subclass of it too), or the fake one
 * of `minch/testing`. Minch constructs it as `new WebSocket(url, protocols)`,
 * and with `ws`'s options as the third argument where it has `ws`'s interface.
 */
export type WebSocketClass = abstract new (url: string, protocols?: string | string[]) => object;

/** The server's answer to the upgrade request, as `handleConnect` sees it. */
export interface UpgradeResponse {
  /** 101 on success. Browsers cannot read it and always report 101. */
  status: number;
  /** Response headers, names in lower case. Empty in browsers. */
  headers: Record<string, string | string[]>;
  /** The subprotocol the server chose, or `''`. */
  protocol: string;
}

/** Errors passed to `handleError`. */
export type MinchError =
  | {
      /** A callback threw, or its Promise rejected. */
      type: 'callback_error';
      /** Which callback. */
      callback: CallbackName;
      /** Which callback threw, and the error's message. */
      message: string;
      /** What was thrown. */
      error?: unknown;
    }
  | {
      /** A callback returned something that is not one of its results. */
      type: 'invalid_result';
      /** Which callback. */
      callback: CallbackName;
      /** What is wrong with the result. */
      message: string;
    }
  | {
      /** A frame was not sent: one from a `reply` or `close` result, or one dropped from the outbox. */
      type: 'send_error';
      /** Which frame, and why. */
      message: string;
      /** The `SendError` that refused it. */
      error?: SendError;
    };

/** The names of the `MinchClient` callbacks, as `MinchError.callback` gives them. */
export type CallbackName =
  | 'init'
  | 'connect'
  | 'handleConnect'
  | 'handleFrame'
  | 'handleInfo'
  | 'handleError'
  | 'handleDisconnect'
  | 'terminate';

/** A result of `handleConnect`, `handleFrame`, `handleInfo` or `handleError`. */
export type CallbackResult<State> =
  | {
      /** Carry on. */
      type: 'ok';
      /** The new state. */
      state: State;
    }
  | {
      /** Send `frames` now, in order. */
      type: 'reply';
      /** One frame or a list; a close frame may only come last, and starts the closing handshake. */
      frames: FrameInput | FrameInput[];
      /** The new state. */
      state: State;
    }
  | {
      /** Close the connection; `handleDisconnect` then decides what follows. */
      type: 'close';
      /** The close code: 1000 or 3000–4999. @default 1000 */
      code?: number;
      /** At most 123 UTF-8 bytes. @default '' */
      reason?: string;
      /** The new state. */
      state: State;
    }
  | {
      /** Stop the client: close any connection, then run `terminate(reason, state)`. */
      type: 'stop';
      /** Given to `terminate`; a supervisor restarts the client unless it is `'normal'` or `'shutdown'`. */
      reason: unknown;
      /** The new state. */
      state: State;
    };

/** A result of `handleDisconnect`. */
export type DisconnectResult<State> =
  | {
      /** Connect again after `backoff`. */
      type: 'reconnect';
      /** The delay in milliseconds, such as `backoff(attempt)`. */
      backoff: number;
      /** The new state. */
      state: State;
    }
  | {
      /** Stop the client: run `terminate(reason, state)`. */
      type: 'stop';
      /** Given to `terminate`; a supervisor restarts the client unless it is `'normal'` or `'shutdown'`. */
      reason: unknown;
      /** The new state. */
      state: State;
    };

/** A result of `init`. */
export type InitResult<State> =
  | {
      /** Start connecting. */
      type: 'ok';
      /** The first state. */
      state: State;
    }
  | {
      /** Stop at once: no connection, and `terminate` is not called. */
      type: 'stop';
      /** The client's stop reason; a supervisor restarts it unless it is `'normal'` or `'shutdown'`. */
      reason: unknown;
    };

/** Header list accepted by `connect`: an object or `[name, value]` pairs. */
export type HeadersInput = Record<string, string> | ReadonlyArray<readonly [string, string]>;

/**
 * Where and how to connect, as returned by the `connect(state)` callback.
 * `options` are passed to the Node `ws` client (TLS options such as `ca` or
 * `rejectUnauthorized`, `perMessageDeflate`, `maxPayload`, `lookup`, ...);
 * browsers ignore them.
 */
export interface ConnectTarget {
  /** A `ws:` or `wss:` URL, without a fragment. */
  url: string | URL;
  /** Headers of the upgrade request (Node only: in browsers the attempt fails, reason `'unsupported'`). */
  headers?: HeadersInput;
  /** The subprotocols to offer; `handleConnect` sees the one the server chose. */
  protocols?: string | string[];
  /** Options for the Node `ws` client, as above. */
  options?: Record<string, unknown>;
}

/** Handed to every callback as its last argument. */
export interface Self<Info = unknown> {
  /** Delivers `message` to `handleInfo`, after the events already queued. */
  sendInfo(message: Info): void;
  /**
   * Delivers `message` to `handleInfo` after `delayMs`. Returns a function that
   * cancels it. The timer belongs to the client: it dies when the client stops.
   */
  sendAfter(message: Info, delayMs: number): () => void;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * A Minch client: a plain object of callbacks. Only `connect` and `handleFrame`
 * are required. Every callback may return a Promise; the client handles one
 * event at a time, in arrival order.
 */
export interface MinchClient<State = unknown, InitArg = State, Info = unknown> {
  /**
   * Called once when the actor starts, with `initArg`: the first state, or a stop.
   * @default `(arg) => ({ type: 'ok', state: arg })`
   */
  init?(initArg: InitArg, self: Self<Info>): MaybePromise<InitResult<State>>;
  /** Called before every connection attempt, so credentials can be fresh. */
  connect(state: State, self: Self<Info>): MaybePromise<string | URL | ConnectTarget>;
  /**
   * Called when the upgrade succeeded, before any frame is handled.
   * @default `{ type: 'ok', state }`
   */
  handleConnect?(response: UpgradeResponse, state: State, self: Self<Info>): MaybePromise<CallbackResult<State>>;
  /** Called with each received text, binary or pong frame, in arrival order. */
  handleFrame(frame: Frame, state: State, self: Self<Info>): MaybePromise<CallbackResult<State>>;
  /**
   * Called with each message from `sendInfo`, `self.sendInfo` or `self.sendAfter`.
   * @default `{ type: 'ok', state }`
   */
  handleInfo?(message: Info, state: State, self: Self<Info>): MaybePromise<CallbackResult<State>>;
  /**
   * Called when `connect`, `handleConnect`, `handleFrame`, `handleInfo` or
   * `handleDisconnect` throws or returns an invalid result, or a frame is not sent.
   * @default logs the error through the logger (without payloads), `{ type: 'ok', state }`
   */
  handleError?(error: MinchError, state: State, self: Self<Info>): MaybePromise<CallbackResult<State>>;
  /**
   * Called when a connection ends or an attempt fails, with why and `attempt`:
   * 1, 2, 3, ... for consecutive failures, 1 again after a connection that
   * stayed up `minUptimeMs`.
   * @default `{ type: 'reconnect', backoff: backoff(attempt), state }`
   */
  handleDisconnect?(
    reason: DisconnectReason,
    attempt: number,
    state: State,
    self: Self<Info>,
  ): MaybePromise<DisconnectResult<State>>;
  /** Called once when the client stops. Its result is ignored. */
  terminate?(reason: unknown, state: State, self: Self<Info>): unknown;
}

/** Anything with `debug/info/warn/error`, such as `console` or a pino logger. */
export interface Logger {
  /** Every state change, with the URL, attempt and backoff. */
  debug(...args: unknown[]): void;
  /** Part of the shape `console` and pino share; Minch logs nothing at this level. */
  info(...args: unknown[]): void;
  /** Errors the client carries on after: the default `handleError`'s, and a `handleError` result that failed. */
  warn(...args: unknown[]): void;
  /** Failures of `init`, `terminate` or `handleError` itself, and of the client actor. */
  error(...args: unknown[]): void;
}

/**
 * Opt-in queue for frames sent while the client is not open: they are written
 * in order right after the next open, before `handleConnect` runs.
 */
export interface OutboxOptions {
  /** Most frames kept. */
  max: number;
  /**
   * When full: `'reject'` refuses the new frame (`Left({ type: 'outbox_full' })`);
   * `'drop-oldest'` drops the oldest queued frame and reports it to `handleError`.
   * @default 'reject'
   */
  overflow?: 'reject' | 'drop-oldest';
}

/** Heartbeat settings: a ping every `intervalMs`, an answer expected within `timeoutMs`. */
export interface HeartbeatOptions {
  /** Milliseconds between probes (`timeoutMs`, if that is longer). */
  intervalMs: number;
  /** Milliseconds a probe waits for any frame from the peer before the connection ends. */
  timeoutMs: number;
  /**
   * An application frame to send instead of a protocol ping. Required in
   * browsers, which cannot send pings; any frame from the peer counts as the answer.
   */
  frame?: FrameInput;
}
