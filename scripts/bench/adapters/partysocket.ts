/** partysocket's reconnecting `WebSocket` (from 'partysocket/ws') with `ws` as its constructor and zero delays. */
import WS from 'ws';
import PartyWebSocket from 'partysocket/ws';
import { reconnectingAdapter, zeroDelay, type ReconnectingLike } from './reconnecting.js';

export const partysocketAdapter = reconnectingAdapter(
  'partysocket',
  'partysocket',
  (url) => new PartyWebSocket(url, [], { WebSocket: WS, ...zeroDelay }) as unknown as ReconnectingLike,
);
