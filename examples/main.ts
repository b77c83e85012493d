/**
 * Runs every example in turn against an embedded echo server on loopback
 * (no network needed). This is `npm start`.
 */
import { main as basic } from './basic.js';
import { main as metrics } from './metrics.js';
import { main as ping } from './ping.js';
import { main as supervised } from './supervised.js';

const fast = process.env['MINCH_EXAMPLES_FAST'] === '1';
console.log('== basic');
await basic();
console.log('== ping');
await ping(undefined, 5);
console.log('== supervised');
await supervised(undefined, fast ? { tickMs: 300, runMs: 1500 } : {});
console.log('== metrics');
await metrics();
console.log('== all examples done');
