/**
 * The client's `State` type, end to end: from the client object to the
 * snapshots users read, through createMinchActor, the supervisor's children,
 * the React and Svelte bindings and minchStore. These are type-level tests:
 * `npm run typecheck` fails on a wrong type, and vitest's typecheck-free run
 * only executes the (trivial) bodies, so every assertion lives in the types.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { Readable } from 'svelte/store';
import {
  createMinchActor,
  createSupervisor,
  type MinchActor,
  type MinchClient,
  type MinchContext,
  type MinchSnapshot,
  type SupervisorActor,
} from '../src/index.js';
import { useMinch as useReactMinch } from '../src/react.js';
import { minchStore, useMinch as useSvelteMinch } from '../src/svelte.js';

interface Chat {
  url: string;
  lines: string[];
}
interface Ticker {
  url: string;
  ticks: number;
}

const chat: MinchClient<Chat, Chat, never> = {
  connect: (state) => state.url,
  handleFrame: (_frame, state) => ({ type: 'ok', state }),
};
const ticker: MinchClient<Ticker, string, never> = {
  init: (url) => ({ type: 'ok', state: { url, ticks: 0 } }),
  connect: (state) => state.url,
  handleFrame: (_frame, state) => ({ type: 'ok', state: { ...state, ticks: state.ticks + 1 } }),
};

describe('the client State type', () => {
  it('reaches snapshot.context.state of createMinchActor', () => {
    const actor = createMinchActor(chat, { url: 'ws://127.0.0.1:1/', lines: [] });
    expectTypeOf(actor).toEqualTypeOf<MinchActor<Chat>>();
    expectTypeOf(actor.getSnapshot().context.state).toEqualTypeOf<Chat>();
    expectTypeOf(actor.getSnapshot().context).toMatchTypeOf<MinchContext<Chat>>();
    expectTypeOf(actor.subscribe)
      .parameter(0)
      .extract<(snapshot: never) => void>()
      .parameter(0)
      .toEqualTypeOf<MinchSnapshot<Chat>>();
    expectTypeOf(actor.select((s) => s.context.state.lines).get()).toEqualTypeOf<string[]>();
  });

  it('comes from init when the init argument differs from the state', () => {
    const actor = createMinchActor(ticker, 'ws://127.0.0.1:1/');
    expectTypeOf(actor.getSnapshot().context.state).toEqualTypeOf<Ticker>();
  });

  it('leaves a typed actor usable where any MinchActor is expected', () => {
    const actor = createMinchActor(chat, { url: 'ws://127.0.0.1:1/', lines: [] });
    expectTypeOf(actor).toMatchTypeOf<MinchActor>();
    expectTypeOf<MinchActor>().not.toMatchTypeOf<MinchActor<Chat>>();
  });

  it("types each supervisor child by its spec's client", () => {
    const supervisor = createSupervisor([
      { id: 'chat', client: chat, initArg: { url: 'ws://127.0.0.1:1/', lines: [] } },
      { id: 'ticker', client: ticker, initArg: 'ws://127.0.0.1:1/' },
    ]);
    const { children } = supervisor.getSnapshot().context;
    expectTypeOf(children.chat).toEqualTypeOf<MinchActor<Chat> | undefined>();
    expectTypeOf(children.ticker).toEqualTypeOf<MinchActor<Ticker> | undefined>();
    expectTypeOf(children.chat?.getSnapshot().context.state).toEqualTypeOf<Chat | undefined>();
    expectTypeOf(children).not.toHaveProperty('other');
    expectTypeOf(supervisor.select((s) => s.context.children.ticker).get()).toEqualTypeOf<
      MinchActor<Ticker> | undefined
    >();
    expectTypeOf(supervisor).toMatchTypeOf<SupervisorActor>();
  });

  it('types the children of specs kept in an array declared as const', () => {
    const specs = [{ id: 'chat', client: chat, initArg: { url: 'ws://127.0.0.1:1/', lines: [] } }] as const;
    const { children } = createSupervisor(specs).getSnapshot().context;
    expectTypeOf(children.chat).toEqualTypeOf<MinchActor<Chat> | undefined>();
    expectTypeOf(children).not.toHaveProperty('other');
  });

  it('is inferred from the client by useMinch, with no type arguments', () => {
    type ReactResult = ReturnType<typeof useReactMinch<Chat, Chat, never>>;
    const inferReact = () => useReactMinch(chat, { url: 'ws://127.0.0.1:1/', lines: [] });
    expectTypeOf(inferReact).returns.toEqualTypeOf<ReactResult>();
    expectTypeOf(inferReact).returns.toHaveProperty('snapshot').toEqualTypeOf<MinchSnapshot<Chat>>();
    const inferSvelte = () => useSvelteMinch(ticker, 'ws://127.0.0.1:1/');
    expectTypeOf(inferSvelte).returns.toHaveProperty('snapshot').toEqualTypeOf<Readable<MinchSnapshot<Ticker>>>();
  });

  it('reaches the snapshot of useMinch in minch/react', () => {
    expectTypeOf(useReactMinch<Chat, Chat, never>)
      .returns.toHaveProperty('snapshot')
      .toEqualTypeOf<MinchSnapshot<Chat>>();
    expectTypeOf(useReactMinch<Chat, Chat, never>)
      .returns.toHaveProperty('actorRef')
      .toEqualTypeOf<MinchActor<Chat>>();
  });

  it('reaches the stores of useMinch and minchStore in minch/svelte', () => {
    expectTypeOf(useSvelteMinch<Ticker, string, never>)
      .returns.toHaveProperty('snapshot')
      .toEqualTypeOf<Readable<MinchSnapshot<Ticker>>>();
    const actor = createMinchActor(chat, { url: 'ws://127.0.0.1:1/', lines: [] });
    expectTypeOf(minchStore(actor)).toEqualTypeOf<Readable<MinchSnapshot<Chat>>>();
  });
});
