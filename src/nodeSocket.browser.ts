/**
 * What browser bundles get instead of ./nodeSocket.js (the `browser` field of
 * package.json maps one to the other). There `isomorphic-ws` is the native
 * `WebSocket`, so src/adapter.ts never calls these; each throws if it were.
 */
import type * as NodeSocket from './nodeSocket.js';

const unreachable = (): never => {
  throw new Error('minch: Node socket code was called in a browser bundle');
};

export const nodeOptions: typeof NodeSocket.nodeOptions = unreachable;
export const listenNodeSocket: typeof NodeSocket.listenNodeSocket = unreachable;
export const sendControl: typeof NodeSocket.sendControl = unreachable;
export const pingNodeSocket: typeof NodeSocket.pingNodeSocket = unreachable;
export const setNodeReading: typeof NodeSocket.setNodeReading = unreachable;
export const releaseNodeSocket: typeof NodeSocket.releaseNodeSocket = unreachable;
