/**
 * The `kit1k` case: minch/testing's promise that a client's virtual time
 * costs no wall time. One client on a SimulatedClock, against
 * createTestServer, goes through 1,000 cycles of open, drop and a 30 s
 * backoff (over 8 hours of virtual time); the figure is the wall time of the
 * cycles, from the built dist/. There is no raw `ws` equivalent, so it is
 * reported on its own, not as a ratio.
 */
import { reconnectCycles } from '../../test/helpers/reconnectCycles.js';
import { close, createMinchActor, createTestServer, SimulatedClock, stateName } from './adapters/minchLib.js';

export const KIT_CYCLES = 1_000;

/** Wall time in ms of `cycles` drop-and-reconnect cycles with 30 s backoffs; throws if a cycle goes wrong. */
export async function kitCycles(cycles = KIT_CYCLES): Promise<number> {
  const server = createTestServer();
  const clock = new SimulatedClock();
  const actor = createMinchActor(
    {
      connect: () => 'ws://kit.test/',
      handleFrame: (_f, state) => ({ type: 'ok', state }),
      handleDisconnect: (_r, _a, state) => ({ type: 'reconnect', backoff: 30_000, state }),
    },
    null,
    { WebSocket: server.WebSocket, clock },
  ).start();
  const started = performance.now();
  await reconnectCycles(server, clock, () => stateName(actor.getSnapshot()), cycles, 30_000);
  const ms = performance.now() - started;
  await close(actor);
  return ms;
}
