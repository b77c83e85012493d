// An ES module of a Node project (module and moduleResolution nodenext).
import { backoff, close, connect, createMinchActor, receiveFrame, sendFrame, stateName } from 'minch';
import type { DisconnectReason, Frame, MinchClient, MinchSnapshot, SendError, StateName } from 'minch';
import { instrumentMinch } from 'minch/otel';

interface Echo {
  url: string;
  received: string[];
  lastDisconnect: DisconnectReason | null;
}

const echo: MinchClient<Echo, { url: string }, 'flush'> = {
  init: ({ url }) => ({ type: 'ok', state: { url, received: [], lastDisconnect: null } }),
  connect: (state) => ({ url: state.url, headers: { 'x-client': 'consumer' } }),
  handleConnect: (_response, state) => ({ type: 'reply', frames: { type: 'text', data: 'hello' }, state }),
  handleFrame: (frame: Frame, state) =>
    frame.type === 'text'
      ? { type: 'ok', state: { ...state, received: [...state.received, frame.data] } }
      : { type: 'ok', state },
  handleInfo: (message, state) =>
    message === 'flush' ? { type: 'ok', state: { ...state, received: [] } } : { type: 'ok', state },
  handleDisconnect: (reason, attempt, state) => ({
    type: 'reconnect',
    backoff: backoff(attempt),
    state: { ...state, lastDisconnect: reason },
  }),
};

const actor = createMinchActor(echo, { url: 'ws://127.0.0.1:9/' }, { connectTimeoutMs: 1000 });
const received: string[] = actor.getSnapshot().context.state.received;
const last: DisconnectReason | null = actor.getSnapshot().context.state.lastDisconnect;
// @ts-expect-error context.state is Echo, not any
actor.getSnapshot().context.state.missing;
const name: StateName = stateName(actor.getSnapshot());
actor.subscribe((snapshot: MinchSnapshot<Echo>) => snapshot.context.state.received.length);

const sent = sendFrame(actor, { type: 'text', data: 'hi' });
const why: SendError['type'] | null = sent._tag === 'Left' ? sent.left.type : null;

const stop: () => void = instrumentMinch();

const result = await connect('ws://127.0.0.1:9/', { timeoutMs: 1000 });
if (result._tag === 'Right') {
  await using conn = result.right;
  const frame: Frame | 'timeout' = await receiveFrame(conn, 100);
  for await (const next of conn) if (next.type === 'text') console.log(next.data.toUpperCase(), frame);
}

await close(actor, { code: 1000, reason: 'done' });
stop();
export { received, last, name, why };
