/**
 * The shape shared by `MinchActor` and `SupervisorActor`: an XState actor
 * whose snapshots have a narrower type than the one inferred from its
 * machine (the client's `State` in `context.state`; each child's client in
 * `context.children`). One machine runs every client, so only the types differ.
 */
import type { Actor, AnyActorLogic, Observer, Readable, SnapshotFrom, Subscription } from 'xstate';

/**
 * Each variant of `Snapshot` (active, done, error, stopped) with its `context`
 * typed as `Context`.
 */
export type WithContext<Snapshot, Context> = Snapshot extends unknown
  ? Omit<Snapshot, 'context'> & {
      /** The actor's context, typed as `Context`. */
      readonly context: Context;
    }
  : never;

/**
 * An XState `Actor` of `Logic` whose snapshots are typed as `Snapshot`. It has
 * every member of XState's `Actor` (`start`, `id`, `system`, ...); the ones
 * declared here only give the snapshot that type.
 */
export interface TypedActor<Logic extends AnyActorLogic, Snapshot extends SnapshotFrom<Logic>> extends Actor<Logic> {
  /** The current snapshot. */
  getSnapshot(): Snapshot;
  /**
   * Gives `observer.next` every new snapshot (not the current one), then
   * calls `complete` once the actor has stopped, or `error` if it failed.
   */
  subscribe(observer: Observer<Snapshot>): Subscription;
  /** The same, with the three callbacks as arguments. */
  subscribe(next?: (snapshot: Snapshot) => void, error?: (error: unknown) => void, complete?: () => void): Subscription;
  /**
   * A readable of `selector(snapshot)`: `get()` reads it now, and its
   * subscribers are called only when it changes (by `equalityFn`, `Object.is` by default).
   */
  select<Selected>(
    selector: (snapshot: Snapshot) => Selected,
    equalityFn?: (a: Selected, b: Selected) => boolean,
  ): Readable<Selected>;
}
