/**
 * Public types of Minch: frames, callback results, disconnect reasons and the
 * callback object (`MinchClient`) that a user writes.
 */

/** A WebSocket frame as received by `handleFrame` or given to `sendFrame`. */
export type Frame =
  | { type: 'text'; data: string }
  | { type: 'binary'; data: Uint8Array }
  | { type: 'ping'; data?: Uint8Array }
  | { type: 'pong'; data?: Uint8Array }
  | { type: 'close'; code?: number; reason?: string };

/** What may be sent: a frame, or the shorthands `'ping' | 'pong' | 'close'`. */
export type FrameInput = Frame | 'ping' | 'pong' | 'close';

/** Why `sendFrame` refused a frame. Nothing is sent when it returns `Left`. */
export type SendError =
  | { type: 'not_connected' }
  | { type: 'invalid_frame'; message: string }
  | { type: 'unsupported'; message: string }
  /** Only with the opt-in `outbox` option and `overflow: 'reject'`. */
  | { type: 'outbox_full'; message: string };

/**
 * Why a connection ended, or never started. Tagged by `type`; never tell them
 * apart by message strings. JSON-serialisable and free of secrets.
 */
export type DisconnectReason =
  | { type: 'closed'; code: number; reason: string }
  | { type: 'connect_error'; reason: string; message: string }
  | { type: 'upgrade_failed'; status: number; headers: Record<string, string | string[]> }
  | { type: 'heartbeat_timeout' };

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
  | { type: 'callback_error'; callback: CallbackName; message: string; error?: unknown }
  | { type: 'invalid_result'; callback: CallbackName; message: string }
  | { type: 'send_error'; message: string; error?: SendError };

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
  | { type: 'ok'; state: State }
  | { type: 'reply'; frames: FrameInput | FrameInput[]; state: State }
  | { type: 'close'; code?: number; reason?: string; state: State }
  | { type: 'stop'; reason: unknown; state: State };

/** A result of `handleDisconnect`. */
export type DisconnectResult<State> =
  { type: 'reconnect'; backoff: number; state: State } | { type: 'stop'; reason: unknown; state: State };

/** A result of `init`. */
export type InitResult<State> = { type: 'ok'; state: State } | { type: 'stop'; reason: unknown };

/** Header list accepted by `connect`: an object or `[name, value]` pairs. */
export type HeadersInput = Record<string, string> | ReadonlyArray<readonly [string, string]>;

/**
 * Where and how to connect, as returned by the `connect(state)` callback.
 * `options` are passed to the Node `ws` client (TLS options such as `ca` or
 * `rejectUnauthorized`, `perMessageDeflate`, `maxPayload`, `lookup`, ...);
 * browsers ignore them.
 */
export interface ConnectTarget {
  url: string | URL;
  headers?: HeadersInput;
  protocols?: string | string[];
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
  /** @default `(arg) => ({ type: 'ok', state: arg })` */
  init?(initArg: InitArg, self: Self<Info>): MaybePromise<InitResult<State>>;
  /** Called before every connection attempt, so credentials can be fresh. */
  connect(state: State, self: Self<Info>): MaybePromise<string | URL | ConnectTarget>;
  /** @default `{ type: 'ok', state }` */
  handleConnect?(response: UpgradeResponse, state: State, self: Self<Info>): MaybePromise<CallbackResult<State>>;
  handleFrame(frame: Frame, state: State, self: Self<Info>): MaybePromise<CallbackResult<State>>;
  /** @default `{ type: 'ok', state }` */
  handleInfo?(message: Info, state: State, self: Self<Info>): MaybePromise<CallbackResult<State>>;
  /** @default logs the error through the logger (without payloads), `{ type: 'ok', state }` */
  handleError?(error: MinchError, state: State, self: Self<Info>): MaybePromise<CallbackResult<State>>;
  /** @default `{ type: 'reconnect', backoff: backoff(attempt), state }` */
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
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
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
  intervalMs: number;
  timeoutMs: number;
  /**
   * An application frame to send instead of a protocol ping. Required in
   * browsers, which cannot send pings; any frame from the peer counts as the answer.
   */
  frame?: FrameInput;
}
