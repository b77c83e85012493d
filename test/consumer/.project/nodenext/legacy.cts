// A CommonJS module of the same project: require of the ES module package (Node >= 20.19).
import minch = require('minch');
import minchReact = require('minch/react');

interface Counter {
  count: number;
}

const counter: minch.MinchClient<Counter> = {
  connect: () => 'ws://127.0.0.1:9/',
  handleFrame: (_frame, state) => ({ type: 'ok', state: { count: state.count + 1 } }),
};

const actor = minch.createMinchActor(counter, { count: 0 });
const count: number = actor.getSnapshot().context.state.count;
const name: minch.StateName = minch.stateName(actor.getSnapshot());
const sent: boolean = minch.sendFrame(actor, 'ping')._tag === 'Right';

function useCounter(): minchReact.UseMinchResult<Counter> {
  return minchReact.useMinch(counter, { count: 0 });
}

export = { count, name, sent, useCounter, stop: (): Promise<void> => minch.close(actor) };
