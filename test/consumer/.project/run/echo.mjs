// An ES module user: import minch, send a text frame on connect, print the echo, close.
import { close, createMinchActor, stateName } from 'minch';

const { MINCH_ECHO_URL: url, MINCH_ECHO_TEXT: text } = process.env;
let echoed;
const echo = new Promise((resolve) => (echoed = resolve));

const actor = createMinchActor(
  {
    connect: (state) => state.url,
    handleConnect: (_response, state) => ({ type: 'reply', frames: { type: 'text', data: state.text }, state }),
    handleFrame: (frame, state) => {
      if (frame.type === 'text') echoed(frame.data);
      return { type: 'ok', state: { ...state, echo: frame.type === 'text' ? frame.data : state.echo } };
    },
  },
  { url, text, echo: null },
);
actor.start();
await echo;
await close(actor);
const snapshot = actor.getSnapshot();
console.log(JSON.stringify({ module: 'esm', echo: snapshot.context.state.echo, state: stateName(snapshot) }));
