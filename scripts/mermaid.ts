/**
 * Renders a flat XState machine as a Mermaid state diagram, from the machine
 * definition itself, so the README's diagram cannot drift from the code.
 */
import type { AnyStateMachine } from 'xstate';

interface TransitionLike {
  eventType: string;
  target?: readonly { key: string }[];
  guard?: unknown;
  reenter?: boolean;
}

function guardName(guard: unknown): string {
  if (guard === undefined) return '';
  if (typeof guard === 'string') return guard;
  const g = guard as { type?: string; params?: unknown };
  if (g.type === 'xstate.and' || g.type === 'xstate.not') {
    const inner = (g as { guards?: unknown[] }).guards ?? [];
    const names = inner.map(guardName);
    return g.type === 'xstate.not' ? `!${names.join('')}` : names.join(' && ');
  }
  return g.type ?? 'guard';
}

function eventLabel(eventType: string): string {
  const after = /^xstate\.after\.([^.]+)\./.exec(eventType);
  return after ? `after ${after[1]}` : eventType;
}

/** `stateDiagram-v2` text: one line per targeted transition, in definition order. */
export function toMermaid(machine: AnyStateMachine): string {
  const root = machine.root;
  const lines = ['stateDiagram-v2', `  [*] --> ${String(root.config.initial)}`];
  for (const node of Object.values(root.states)) {
    for (const list of node.transitions.values() as Iterable<TransitionLike[]>) {
      for (const t of list) {
        for (const target of t.target ?? []) {
          const guard = guardName(t.guard);
          lines.push(`  ${node.key} --> ${target.key}: ${eventLabel(t.eventType)}${guard ? ` [${guard}]` : ''}`);
        }
      }
    }
    for (const t of node.always ?? []) {
      for (const target of (t as TransitionLike).target ?? []) lines.push(`  ${node.key} --> ${target.key}: always [${guardName((t as TransitionLike).guard)}]`);
    }
    if (node.type === 'final') lines.push(`  ${node.key} --> [*]`);
  }
  return lines.join('\n');
}

const START = '<!-- diagram:start (npm run diagram) -->';
const END = '<!-- diagram:end -->';

/** The README with its diagram block replaced by `mermaid`. */
export function withDiagram(readme: string, mermaid: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a === -1 || b === -1 || b < a) throw new Error(`README.md has no ${START} ... ${END} block`);
  return `${readme.slice(0, a + START.length)}\n\`\`\`mermaid\n${mermaid}\n\`\`\`\n${readme.slice(b)}`;
}
