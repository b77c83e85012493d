/**
 * A Minch client that records every callback with its arguments. Each
 * callback returns the default result unless the test overrides it.
 */
import type {
  CallbackResult,
  DisconnectReason,
  DisconnectResult,
  Frame,
  MinchClient,
  MinchError,
  Self,
  UpgradeResponse,
} from '../../src/index.js';
import { Recorder } from './recorder.js';

export type CallbackEvent =
  | { cb: 'init'; arg: unknown }
  | { cb: 'connect'; state: unknown }
  | { cb: 'handleConnect'; response: UpgradeResponse; state: unknown }
  | { cb: 'handleFrame'; frame: Frame; state: unknown }
  | { cb: 'handleInfo'; message: unknown; state: unknown }
  | { cb: 'handleError'; error: MinchError; state: unknown }
  | { cb: 'handleDisconnect'; reason: DisconnectReason; attempt: number; state: unknown }
  | { cb: 'terminate'; reason: unknown; state: unknown };

type Overrides<S> = Partial<{
  connect: (state: S, self: Self) => unknown;
  handleConnect: (response: UpgradeResponse, state: S, self: Self) => CallbackResult<S> | Promise<CallbackResult<S>>;
  handleFrame: (frame: Frame, state: S, self: Self) => CallbackResult<S> | Promise<CallbackResult<S>>;
  handleInfo: (message: unknown, state: S, self: Self) => CallbackResult<S> | Promise<CallbackResult<S>>;
  handleError: (error: MinchError, state: S, self: Self) => CallbackResult<S> | Promise<CallbackResult<S>>;
  handleDisconnect: (
    reason: DisconnectReason,
    attempt: number,
    state: S,
    self: Self,
  ) => DisconnectResult<S> | Promise<DisconnectResult<S>>;
  terminate: (reason: unknown, state: S) => unknown;
}>;

export function spyClient<S = unknown>(url: string | (() => string), overrides: Overrides<S> = {}) {
  const recorder = new Recorder<CallbackEvent>();
  const client: MinchClient<S, S> = {
    init: (arg) => {
      recorder.push({ cb: 'init', arg });
      return { type: 'ok', state: arg };
    },
    connect: (state, self) => {
      recorder.push({ cb: 'connect', state });
      return (overrides.connect?.(state, self) ?? (typeof url === 'function' ? url() : url)) as string;
    },
    handleConnect: (response, state, self) => {
      recorder.push({ cb: 'handleConnect', response, state });
      return overrides.handleConnect ? overrides.handleConnect(response, state, self) : { type: 'ok', state };
    },
    handleFrame: (frame, state, self) => {
      recorder.push({ cb: 'handleFrame', frame, state });
      return overrides.handleFrame ? overrides.handleFrame(frame, state, self) : { type: 'ok', state };
    },
    handleInfo: (message, state, self) => {
      recorder.push({ cb: 'handleInfo', message, state });
      return overrides.handleInfo ? overrides.handleInfo(message, state, self) : { type: 'ok', state };
    },
    handleError: (error, state, self) => {
      recorder.push({ cb: 'handleError', error, state });
      return overrides.handleError ? overrides.handleError(error, state, self) : { type: 'ok', state };
    },
    handleDisconnect: (reason, attempt, state, self) => {
      recorder.push({ cb: 'handleDisconnect', reason, attempt, state });
      return overrides.handleDisconnect
        ? overrides.handleDisconnect(reason, attempt, state, self)
        : { type: 'reconnect', backoff: 0, state };
    },
    terminate: (reason, state) => {
      recorder.push({ cb: 'terminate', reason, state });
      return overrides.terminate?.(reason, state);
    },
  };
  const on = <K extends CallbackEvent['cb']>(
    cb: K,
    opts?: { nth?: number; timeoutMs?: number; where?: (e: Extract<CallbackEvent, { cb: K }>) => boolean },
  ) =>
    recorder.waitFor(
      (e) => e.cb === cb && (opts?.where === undefined || opts.where(e as Extract<CallbackEvent, { cb: K }>)),
      {
        label: cb,
        ...(opts?.nth !== undefined && { nth: opts.nth }),
        ...(opts?.timeoutMs !== undefined && { timeoutMs: opts.timeoutMs }),
      },
    ) as Promise<Extract<CallbackEvent, { cb: K }>>;
  const calls = (cb: CallbackEvent['cb']) => recorder.events.filter((e) => e.cb === cb);
  return { client, recorder, on, calls };
}
