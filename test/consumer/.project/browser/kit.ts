// minch/testing in browser code (lib dom, no @types/node): the fake server and the WebSocket option.
import { close, createMinchActor, type Frame, type MinchClient } from 'minch';
import { createTestServer, SimulatedClock, type TestConnection, type TestServer } from 'minch/testing';

const echo: MinchClient<string[], null> = {
  init: () => ({ type: 'ok', state: [] }),
  connect: () => 'ws://kit.test/',
  handleFrame: (frame, state) => ({ type: 'ok', state: frame.type === 'text' ? [...state, frame.data] : state }),
};

export async function run(): Promise<string[]> {
  const server: TestServer = createTestServer({ handshake: 'manual' });
  const actor = createMinchActor(echo, null, { WebSocket: server.WebSocket, clock: new SimulatedClock() }).start();
  const conn: TestConnection = await server.nextConnection();
  conn.accept({ protocol: undefined });
  conn.send({ type: 'text', data: 'hello' });
  await server.flush();
  const next: Frame = await conn.nextFrame();
  await close(actor);
  void next;
  return actor.getSnapshot().context.state;
}
