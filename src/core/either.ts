/**
 * The few `Either` functions the library runs, written out so that no fp-ts
 * code ends up in a user's bundle. The values are fp-ts's own shapes
 * (`{ _tag: 'Left', left }`, `{ _tag: 'Right', right }`) and the types are
 * fp-ts's, so a user's fp-ts functions work on every result Minch returns.
 */
import type { Either, Left, Right } from 'fp-ts/lib/Either.js';

export type { Either, Left, Right };

export const left = <L, R = never>(value: L): Either<L, R> => ({ _tag: 'Left', left: value });

export const right = <R, L = never>(value: R): Either<L, R> => ({ _tag: 'Right', right: value });

export const isLeft = <L, R>(either: Either<L, R>): either is Left<L> => either._tag === 'Left';

export const isRight = <L, R>(either: Either<L, R>): either is Right<R> => either._tag === 'Right';

/** fp-ts's `map`, curried the same way. */
export const map =
  <A, B>(f: (a: A) => B) =>
  <L>(either: Either<L, A>): Either<L, B> =>
    either._tag === 'Left' ? either : right(f(either.right));
