/**
 * `npm run diagram`: regenerates the statechart diagram in README.md from
 * machines/minchMachine.ts. test/diagram.test.ts fails when it is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { minchMachine } from '../machines/minchMachine.js';
import { toMermaid, withDiagram } from './mermaid.js';

const readme = readFileSync('README.md', 'utf8');
const next = withDiagram(readme, toMermaid(minchMachine));
if (next !== readme) writeFileSync('README.md', next);
console.log(next === readme ? 'diagram: README.md is up to date' : 'diagram: README.md updated');
