/**
 * `minch/testing`: a fake WebSocket server for testing a Minch client's
 * callbacks with no network and no waiting, in Node and in browsers.
 */
export { createTestServer } from './testing/server.js';
export type { ServerFrame, TestConnection, TestServer, TestServerOptions } from './testing/server.js';
export type { FakeWebSocket } from './testing/fakeSocket.js';
export type { CloseInfo, HandshakeAnswer, TestRequest } from './testing/link.js';
