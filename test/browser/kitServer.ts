/**
 * The paths of test/browser/globalSetup.ts's `ws` server, played by
 * minch/testing in the page: `/echo`, `/drop`, `/close` and `/refuse`.
 */
import { createTestServer, type TestConnection, type TestServer } from '../../src/testing.js';

async function echo(conn: TestConnection, dropOn?: string): Promise<void> {
  for (;;) {
    const frame = await conn.nextFrame();
    if (frame.type === 'close') return;
    if (frame.type === 'text' && frame.data === dropOn) return conn.drop();
    if (frame.type === 'text' || frame.type === 'binary') conn.send(frame);
  }
}

/** A test server whose connections behave as the `ws` server's paths do. */
export function kitServer(): TestServer {
  const server = createTestServer({
    handshake: (request) =>
      new URL(request.url).pathname === '/refuse' ? { type: 'refuse', status: 401 } : { type: 'accept' },
  });
  // Waits for each connection in turn; a server nobody connects to again is garbage with its last wait.
  void (async () => {
    for (;;) {
      const conn = await server.nextConnection();
      const path = new URL(conn.request.url).pathname;
      if (path === '/echo') void echo(conn);
      else if (path === '/drop') void echo(conn, 'drop');
      else if (path === '/close') void conn.close(4001, 'go away');
      else if (path !== '/refuse') void conn.close(4004, 'unknown path');
    }
  })();
  return server;
}
