/**
 * `minch/svelte`: the Svelte binding. `minchStore` turns a client actor into a
 * readable store; `useMinch` runs one client for the lifetime of a component.
 *
 * Needs `svelte` (5) and `@xstate/svelte` (5), both optional peer dependencies
 * of `minch`: only this entry point imports them.
 */
import { useSelector } from '@xstate/svelte';
import { onDestroy, onMount } from 'svelte';
import type { Readable } from 'svelte/store';
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

const identity = <T>(value: T): T => value;

/**
 * A Svelte readable store of the actor's snapshot. Following Svelte's store
 * contract, a subscriber is called at once, synchronously, with the current
 * snapshot, then with every new one until it unsubscribes. The store
 * subscribes to the actor only while it has subscribers. It neither starts nor
 * stops the actor.
 *
 * @example
 * <script lang="ts">
 *   import { stateName } from 'minch';
 *   import { minchStore } from 'minch/svelte';
 *   let { actor } = $props();          // a started client actor
 *   const snapshot = minchStore(actor);
 * </script>
 * <p>{stateName($snapshot)}, attempt {$snapshot.context.attempt}</p>
 */
export function minchStore<State>(actor: MinchActor<State>): Readable<MinchSnapshot<State>> {
  // @xstate/svelte's useSelector: a readable that re-reads the snapshot when
  // its first subscriber arrives, so a late subscriber never gets a stale one.
  return useSelector(actor, identity<MinchSnapshot<State>>);
}

/** What `useMinch` returns. */
export interface UseMinchResult<State = unknown> {
  /** A readable store of the actor's snapshot (`stateName($snapshot)` is the state's plain name). */
  snapshot: Readable<MinchSnapshot<State>>;
  /** `sendFrame(actorRef, frame)`, bound to this component's client: `Right` once handed to the open socket. */
  sendFrame: (frame: FrameInput) => E.Either<SendError, void>;
  /** The client actor itself, for `sendInfo`, `close` or `subscribe`. */
  actorRef: MinchActor<State>;
}

/**
 * Runs a Minch client for the lifetime of the calling component: creates the
 * actor, starts it when the component mounts (`onMount`, so server-side
 * rendering opens no socket) and closes it (`close(actor)`: close frame 1000,
 * `terminate('normal', state)`) when the component is destroyed.
 *
 * Call it during component initialisation (the top level of `<script>`), like
 * `onMount`: elsewhere Svelte throws `lifecycle_outside_component`. Outside a
 * component, use `createMinchActor`, `actor.start()`, `minchStore(actor)` and
 * `close(actor)` yourself.
 *
 * The arguments are read once. To connect elsewhere, recreate the component,
 * e.g. with `{#key url}<Room {url} />{/key}`.
 *
 * @example
 * <script lang="ts">
 *   import { backoff, stateName, type MinchClient } from 'minch';
 *   import { useMinch } from 'minch/svelte';
 *
 *   interface Chat { url: string; lines: string[] }
 *   const chat: MinchClient<Chat, Chat, never> = {
 *     connect: (state) => state.url,
 *     handleFrame: (frame, state) =>
 *       frame.type === 'text'
 *         ? { type: 'ok', state: { ...state, lines: [...state.lines, frame.data] } }
 *         : { type: 'ok', state },
 *     handleDisconnect: (_reason, attempt, state) => ({ type: 'reconnect', backoff: backoff(attempt), state }),
 *   };
 *
 *   const { snapshot, sendFrame } = useMinch(chat, { url: `wss://${location.host}/chat`, lines: [] });
 * </script>
 *
 * <p>{stateName($snapshot)}</p>
 * <button disabled={stateName($snapshot) !== 'open'} onclick={() => sendFrame({ type: 'text', data: 'hi' })}>
 *   Say hi
 * </button>
 * <ul>{#each $snapshot.context.state.lines as line}<li>{line}</li>{/each}</ul>
 */
export function useMinch<State, InitArg, Info>(
  client: MinchClient<State, InitArg, Info>,
  initArg: InitArg,
  options?: MinchActorOptions,
): UseMinchResult<State> {
  const actor = createMinchActor(client, initArg, options);
  // Outside component initialisation these throw, and the actor, never started, holds nothing.
  onMount(() => {
    actor.start();
  });
  onDestroy(() => {
    void close(actor).catch(() => {});
  });
  return {
    snapshot: minchStore(actor),
    sendFrame: (frame: FrameInput) => send(actor, frame),
    actorRef: actor,
  };
}
