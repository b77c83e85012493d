// A project built by a bundler (module esnext, moduleResolution bundler), in Node.
import { close, createMinchActor, createSupervisor, defineClient, sendFrame, sendInfo, stateName } from 'minch';
import type { MinchActor, StateName } from 'minch';

interface Ticker {
  ticks: number;
  last: string | null;
}

const ticker = defineClient<Ticker, Ticker, 'tick'>({
  connect: () => 'ws://127.0.0.1:9/',
  handleFrame: (frame, state) => ({ type: 'ok', state: { ...state, last: frame.type === 'text' ? frame.data : null } }),
  handleInfo: (_message, state, self) => {
    self.sendAfter('tick', 1000);
    return {
      type: 'reply',
      frames: { type: 'text', data: String(state.ticks) },
      state: { ...state, ticks: state.ticks + 1 },
    };
  },
});

const actor: MinchActor<Ticker> = createMinchActor(ticker, { ticks: 0, last: null });
actor.start();
sendInfo(actor, 'tick');
const ticks: number = actor.getSnapshot().context.state.ticks;
const last: string | null = actor.getSnapshot().context.state.last;
const name: StateName = stateName(actor.getSnapshot());
const sent = sendFrame(actor, { type: 'binary', data: new Uint8Array([1, 2, 3]) });

const supervisor = createSupervisor([{ id: 'ticker', client: ticker, initArg: { ticks: 0, last: null } }]);
supervisor.start();

export const done: Promise<void> = Promise.all([close(actor), close(supervisor)]).then(() => undefined);
export { ticks, last, name, sent };
