/**
 * `minch/testing`: a fake WebSocket server for testing a Minch client's
 * callbacks with no network and no waiting, in Node and in browsers.
 */
export { createTestServer } from './testing/server.js';
/** XState's simulated clock, for the client's `clock` option: `increment(ms)` moves time. */
export { SimulatedClock } from 'xstate';
export type { ServerFrame, TestConnection, TestServer, TestServerOptions } from './testing/server.js';
export type { FakeWebSocket } from './testing/fakeSocket.js';
export type { CloseInfo, HandshakeAnswer, TestRequest } from './testing/types.js';
