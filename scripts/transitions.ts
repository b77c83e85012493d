/**
 * Every transition of an XState machine, read from its definition: what the
 * README diagram draws and what the transition-coverage test checks. A
 * transition is keyed by its source state, its event and its position among
 * that state's candidates for the event, so the key is the same in a machine
 * and in its `provide(...)` copies.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

export interface TransitionInfo {
  /** `minch.connection.connecting · socket.open #0`: stable across `provide` copies. */
  key: string;
  source: AnyStateNode;
  /** The event, or `always`; delayed transitions read `after connectTimeout`. */
  event: string;
  guard: string;
  targets: AnyStateNode[];
}

interface TransitionLike {
  eventType: string;
  source: AnyStateNode;
  target?: readonly AnyStateNode[];
  guard?: unknown;
}

/** A readable name of a guard: its type, `!a`, `a && b`, or `in answered`. */
export function guardName(guard: unknown): string {
  if (guard === undefined) return '';
  if (typeof guard === 'string') return guard;
  // Higher-order guards (and, not, stateIn) are functions carrying their operands.
  const g = guard as { name?: string; type?: string; guards?: unknown[]; stateValue?: unknown };
  if (Array.isArray(g.guards)) {
    const names = g.guards.map(guardName);
    return g.name === 'not' ? `!${names.join('')}` : names.join(g.name === 'or' ? ' || ' : ' && ');
  }
  if (typeof g.stateValue === 'string') return `in ${g.stateValue.split('.').at(-1)}`;
  return g.type ?? 'guard';
}

function eventLabel(eventType: string): string {
  const after = /^xstate\.after\.([^.]+)\./.exec(eventType);
  return after ? `after ${after[1]}` : eventType === '' ? 'always' : eventType;
}

/** The key of a transition definition, as inspection's `@xstate.microstep` events carry them. */
export function transitionKey(t: TransitionLike): string {
  const list = t.eventType === '' ? t.source.always : t.source.transitions.get(t.eventType);
  const index = (list as unknown[] | undefined)?.indexOf(t) ?? -1;
  return `${t.source.id} · ${eventLabel(t.eventType)} #${index}`;
}

/** Every state node of `machine`, parents before children, in definition order. */
export function stateNodes(machine: AnyStateMachine): AnyStateNode[] {
  const out: AnyStateNode[] = [];
  const walk = (node: AnyStateNode): void => {
    out.push(node);
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(machine.root);
  return out;
}

/** Every transition of `machine`, in definition order, with or without a target. */
export function transitionsOf(machine: AnyStateMachine): TransitionInfo[] {
  const out: TransitionInfo[] = [];
  for (const node of stateNodes(machine)) {
    const lists = [
      ...(node.transitions.values() as Iterable<TransitionLike[]>),
      (node.always ?? []) as TransitionLike[],
    ];
    for (const list of lists) {
      for (const t of list) {
        out.push({
          key: transitionKey(t),
          source: node,
          event: eventLabel(t.eventType),
          guard: guardName(t.guard),
          targets: [...(t.target ?? [])],
        });
      }
    }
  }
  return out;
}
