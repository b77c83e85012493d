/** reconnecting-websocket 4.x with `ws` as its constructor and zero delays. */
import WS from 'ws';
import * as rws from 'reconnecting-websocket';
import { reconnectingAdapter, zeroDelay, type ReconnectingLike } from './reconnecting.js';

// The package is CommonJS (`module.exports = Class`) with an `export default`
// typing: unwrap whichever shape this runtime's interop produced.
type Ctor = new (url: string, protocols: string[], options: object) => ReconnectingLike;
const mod = rws as unknown as { default: Ctor | { default: Ctor } };
const ReconnectingWebSocket: Ctor = 'default' in mod.default ? mod.default.default : mod.default;

export const rwsAdapter = reconnectingAdapter(
  'reconnecting-websocket',
  'reconnecting-websocket',
  (url) => new ReconnectingWebSocket(url, [], { WebSocket: WS, ...zeroDelay }),
);
