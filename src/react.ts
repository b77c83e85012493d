/**
 * `minch/react`: the React binding. `useMinch` runs one Minch client actor
 * (one socket) for as long as a component is mounted.
 *
 * Needs `react` (18 or 19) and `@xstate/react` (6), both optional peer
 * dependencies of `minch`: only this entry point imports them.
 */
import { useSelector } from '@xstate/react';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import type * as E from './core/either.js';
import {
  close,
  createMinchActor,
  sendFrame as send,
  type MinchActor,
  type MinchActorOptions,
  type MinchSnapshot,
} from './client.js';
import type { FrameInput, MinchClient, SendError } from './types.js';

export type { MinchSnapshot };

/** What `useMinch` returns. */
export interface UseMinchResult<State = unknown> {
  /** The actor's current snapshot; the component re-renders when it changes. */
  snapshot: MinchSnapshot<State>;
  /** `sendFrame(actorRef, frame)`, bound to this component's client: `Right` once handed to the open socket. */
  sendFrame: (frame: FrameInput) => E.Either<SendError, void>;
  /** The client actor itself, for `sendInfo`, `close` or `subscribe`. */
  actorRef: MinchActor<State>;
}

/** Actors whose close has been asked for: they are never started again. */
const closing = new WeakSet<MinchActor<unknown>>();

/**
 * Runs a Minch client for the lifetime of the calling component: the actor is
 * created on first render (not started, so rendering opens no socket, also on
 * the server), started by an effect and closed (`close(actor)`: close frame
 * 1000, `terminate('normal', state)`) when the component unmounts.
 *
 * One actor, and so one socket, per mounted component, also under
 * `<StrictMode>`: React 19 runs a new component's effects, their cleanup and
 * the effects again on the same instance; the cleanup only schedules the close
 * (`setTimeout(0)`), the second run cancels it and keeps the running actor. A
 * real unmount lets the timer fire and closes the client.
 *
 * The first `client`, `initArg` and `options` win: later values are ignored,
 * as for `useState`'s initial value. To connect elsewhere (another URL, a new
 * token), remount the component with a different `key`, which closes the old
 * client and starts a new one. Keep what `connect(state)` needs in the
 * client's state, or read it there from something current.
 *
 * @example
 * import { backoff, stateName, type MinchClient } from 'minch';
 * import { useMinch } from 'minch/react';
 *
 * interface Chat { url: string; lines: string[] }
 * const chat: MinchClient<Chat, Chat, never> = {
 *   connect: (state) => state.url,
 *   handleFrame: (frame, state) =>
 *     frame.type === 'text'
 *       ? { type: 'ok', state: { ...state, lines: [...state.lines, frame.data] } }
 *       : { type: 'ok', state },
 *   handleDisconnect: (_reason, attempt, state) => ({ type: 'reconnect', backoff: backoff(attempt), state }),
 * };
 *
 * function Room({ url }: { url: string }) {
 *   const { snapshot, sendFrame } = useMinch(chat, { url, lines: [] });
 *   const { lines } = snapshot.context.state;
 *   return (
 *     <>
 *       <p>{stateName(snapshot)}</p>
 *       <button disabled={stateName(snapshot) !== 'open'} onClick={() => sendFrame({ type: 'text', data: 'hi' })}>
 *         Say hi
 *       </button>
 *       <ul>{lines.map((line, i) => <li key={i}>{line}</li>)}</ul>
 *     </>
 *   );
 * }
 *
 * // A new URL means a new connection: remount with a key.
 * <Room key={url} url={url} />
 */
export function useMinch<State, InitArg, Info>(
  client: MinchClient<State, InitArg, Info>,
  initArg: InitArg,
  options?: MinchActorOptions,
): UseMinchResult<State> {
  // The first arguments win; a fresh actor (see the effect) is built from them too.
  const first = useRef({ client, initArg, options });
  const actorRef = useRef<MinchActor<State> | null>(null);
  if (actorRef.current === null) actorRef.current = createMinchActor(client, initArg, options);
  const actor = actorRef.current;
  const closeTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [, rerender] = useReducer((n: number) => n + 1, 0);

  useEffect(() => {
    if (closeTimer.current !== undefined) {
      // StrictMode's simulated unmount and remount: keep the running actor.
      clearTimeout(closeTimer.current);
      closeTimer.current = undefined;
    }
    if (closing.has(actor)) {
      // The component was really hidden and is shown again with its state kept
      // (<Activity>, Offscreen): its client was closed, so start a new one.
      const { client: c, initArg: i, options: o } = first.current;
      actorRef.current = createMinchActor(c, i, o);
      rerender();
      return undefined;
    }
    actor.start();
    return () => {
      closeTimer.current = setTimeout(() => {
        closeTimer.current = undefined;
        closing.add(actor);
        void close(actor).catch(() => {});
      }, 0);
    };
  }, [actor]);

  const snapshot = useSelector(actor, (s) => s);
  const sendFrame = useCallback((frame: FrameInput) => send(actor, frame), [actor]);
  return { snapshot, sendFrame, actorRef: actor };
}
