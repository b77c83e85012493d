// The subpath entry points through require; each needs its optional peers, installed here (minch/testing needs none).
const entries = {};
for (const id of ['minch/react', 'minch/svelte', 'minch/otel', 'minch/testing'])
  entries[id] = Object.keys(require(id)).sort();
console.log(JSON.stringify(entries));
