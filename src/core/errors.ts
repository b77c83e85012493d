/**
 * The shared `Left` values and error builders (pure). Every module that
 * refuses a send or reports a callback failure takes them from here, so one
 * failure has one shape and one wording.
 */
import * as E from './either.js';
import type { CallbackName, DisconnectReason, MinchError, SendError } from '../types.js';

/** `Right(undefined)`: a send that was handed to the socket. Shared, so no send allocates one. */
export const RIGHT_VOID: E.Either<never, void> = E.right(undefined);

/** The client is not open. */
export const NOT_CONNECTED_ERROR: SendError = Object.freeze({ type: 'not_connected' });

/** The client is not open: nothing was sent. */
export const NOT_CONNECTED: E.Either<SendError, never> = E.left(NOT_CONNECTED_ERROR);

export const invalidFrame = (message: string): E.Either<SendError, never> => E.left({ type: 'invalid_frame', message });

export const unsupported = (message: string): E.Either<SendError, never> => E.left({ type: 'unsupported', message });

/** A thrown value as a message: its `message` if it is an Error, never its payload otherwise. */
function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : typeof err === 'string' ? err : 'a non-Error value was thrown';
}

/** A callback threw or its Promise rejected. */
export function callbackError(callback: CallbackName, err: unknown): MinchError {
  return { type: 'callback_error', callback, message: `${callback} threw: ${errorMessage(err)}`, error: err };
}

/** A callback returned something it may not: `message` says what, after "<callback> returned ". */
export function invalidResult(callback: CallbackName, message: string): MinchError {
  return { type: 'invalid_result', callback, message: `${callback} returned ${message}` };
}

/** The outbox is full and rejects a frame. */
export const outboxFull = (max: number): E.Either<SendError, never> =>
  E.left({ type: 'outbox_full', message: `the outbox holds ${max} frames already` });

/** A frame that could not be sent, for `handleError`. */
export function sendError(message: string, error?: SendError): MinchError {
  return error === undefined ? { type: 'send_error', message } : { type: 'send_error', message, error };
}

/** The disconnect reasons the engine gives itself, frozen: snapshots share them. */
export const ENDED = Object.freeze({
  handshakeTimeout: Object.freeze({
    type: 'connect_error',
    reason: 'timeout',
    message: 'the opening handshake timed out',
  }),
  noCloseAnswer: Object.freeze({
    type: 'closed',
    code: 1006,
    reason: 'the server did not answer the close frame in time',
  }),
  heartbeatTimeout: Object.freeze({ type: 'heartbeat_timeout' }),
  offlineConnecting: Object.freeze({ type: 'connect_error', reason: 'offline', message: 'the browser went offline' }),
  offlineOpen: Object.freeze({ type: 'closed', code: 1006, reason: 'the browser went offline' }),
} satisfies Record<string, DisconnectReason>);
