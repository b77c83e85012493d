/**
 * Renders an XState machine as a Mermaid state diagram, from the machine
 * definition itself, so the README's diagram cannot drift from the code.
 * Compound states are drawn as composite states; transitions with the same
 * source, target and guard share one arrow; transitions of the root (which
 * apply in every state that does not handle the event itself) become a note
 * on their target.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { stateNodes, transitionsOf, type TransitionInfo } from './transitions.js';

/** Mermaid ids: a state's key, or `parent_key` where two states share a key. */
function idsOf(machine: AnyStateMachine): Map<AnyStateNode, string> {
  const nodes = stateNodes(machine).slice(1);
  const count = new Map<string, number>();
  for (const n of nodes) count.set(n.key, (count.get(n.key) ?? 0) + 1);
  return new Map(nodes.map((n) => [n, (count.get(n.key) ?? 0) > 1 ? `${n.parent?.key}_${n.key}` : n.key]));
}

/** The innermost state holding both ends of an arrow: where Mermaid wants it declared. */
function commonParent(a: AnyStateNode, b: AnyStateNode): AnyStateNode | undefined {
  const chain = new Set<AnyStateNode>();
  for (let n = a.parent; n !== undefined; n = n.parent) chain.add(n);
  for (let n = b.parent; n !== undefined; n = n.parent) if (chain.has(n)) return n;
  return undefined;
}

interface Arrow {
  from: AnyStateNode;
  to: AnyStateNode;
  guard: string;
  events: string[];
}

function arrowsOf(transitions: TransitionInfo[]): Arrow[] {
  const arrows: Arrow[] = [];
  for (const t of transitions) {
    for (const to of t.targets) {
      const same = arrows.find((a) => a.from === t.source && a.to === to && a.guard === t.guard);
      if (same === undefined) arrows.push({ from: t.source, to, guard: t.guard, events: [t.event] });
      else if (!same.events.includes(t.event)) same.events.push(t.event);
    }
  }
  return arrows;
}

/** `stateDiagram-v2` text: composite states, then their arrows, in definition order. */
export function toMermaid(machine: AnyStateMachine): string {
  const ids = idsOf(machine);
  const root = machine.root;
  const arrows = arrowsOf(transitionsOf(machine));
  const label = (a: Arrow): string => `${a.events.join(', ')}${a.guard ? ` [${a.guard}]` : ''}`;
  const lines = ['stateDiagram-v2'];
  const draw = (node: AnyStateNode, indent: string): void => {
    const initial = node.config.initial;
    if (typeof initial === 'string') lines.push(`${indent}[*] --> ${ids.get(node.states[initial] as AnyStateNode)}`);
    for (const child of Object.values(node.states)) {
      const id = ids.get(child) as string;
      if (id !== child.key) lines.push(`${indent}state "${child.key}" as ${id}`);
      if (Object.keys(child.states).length > 0) {
        lines.push(`${indent}state ${id} {`);
        draw(child, `${indent}  `);
        lines.push(`${indent}}`);
      }
      if (child.type === 'final') lines.push(`${indent}${id} --> [*]`);
    }
    for (const a of arrows) {
      if (a.from === root || commonParent(a.from, a.to) !== node) continue;
      lines.push(`${indent}${ids.get(a.from)} --> ${ids.get(a.to)}: ${label(a)}`);
    }
  };
  draw(root, '  ');
  for (const a of arrows.filter((x) => x.from === root)) {
    lines.push(`  note left of ${ids.get(a.to)}: from any state, on ${label(a)}`);
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
