import { stateName } from 'minch';
import { useMinch } from 'minch/react';
import { feed } from './app';

export function Room() {
  const { snapshot, sendFrame } = useMinch(feed, { items: [] });
  const state = stateName(snapshot);
  return (
    <>
      <button disabled={state !== 'open'} onClick={() => sendFrame({ type: 'text', data: 'more' })}>
        {state}
      </button>
      <ul>
        {snapshot.context.state.items.map((item, i) => (
          <li key={i}>{item}</li>
        ))}
      </ul>
    </>
  );
}
