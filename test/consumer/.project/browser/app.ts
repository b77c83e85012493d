// Browser code (lib dom, no @types/node): the native WebSocket behind the same API.
import {
  close,
  createMinchActor,
  sendFrame,
  stateName,
  type MinchClient,
  type MinchSnapshot,
  type StateName,
} from 'minch';
import { minchStore } from 'minch/svelte';
import type { Readable } from 'svelte/store';

interface Feed {
  items: string[];
}

const feed: MinchClient<Feed, Feed, never> = {
  connect: () => ({ url: `${location.origin.replace(/^http/, 'ws')}/feed`, protocols: ['feed.v1'] }),
  handleFrame: (frame, state) =>
    frame.type === 'text' ? { type: 'ok', state: { items: [...state.items, frame.data] } } : { type: 'ok', state },
};

export const actor = createMinchActor(
  feed,
  { items: [] },
  { heartbeat: { intervalMs: 20000, timeoutMs: 20000, frame: { type: 'text', data: 'ping' } } },
);
actor.start();
actor.subscribe((snapshot) => {
  const list = document.querySelector('ul');
  if (list !== null) list.textContent = snapshot.context.state.items.join('\n');
});
const items: string[] = actor.getSnapshot().context.state.items;
const name: StateName = stateName(actor.getSnapshot());
document.querySelector('button')?.addEventListener('click', () => sendFrame(actor, { type: 'text', data: 'more' }));
window.addEventListener('pagehide', () => void close(actor));
const store: Readable<MinchSnapshot<Feed>> = minchStore(actor);
export { feed, items, name, store };
