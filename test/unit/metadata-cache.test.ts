/**
 * The in-memory metadata cache's contract, with the store's change counter played by a number the
 * test moves (the real counter and its triggers: metadata-change-counter.test.ts; two instances
 * on one store: metadata-cache-two-instances.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metadataCache } from '../../src/services/metadata-cache.ts';

function store() {
  const state = { counter: 0, reads: 0, loads: 0 };
  const cache = metadataCache({
    counter: async () => {
      state.reads++;
      return String(state.counter);
    },
    maxEntries: 3,
  });
  const load = (value: string) => async () => {
    state.loads++;
    return value;
  };
  return { state, cache, load };
}

test('an entry is loaded once while the counter stays, and again once it moves', async () => {
  const { state, cache, load } = store();
  assert.equal(await cache.get('token:a', load('v1')), 'v1');
  assert.equal(await cache.get('token:a', load('v2')), 'v1');
  assert.equal(state.loads, 1);
  state.counter++;
  assert.equal(await cache.get('token:a', load('v2')), 'v2');
  assert.equal(state.loads, 2);
});

test('the counter is read once per scope, and once per lookup without one', async () => {
  const { state, cache, load } = store();
  const request = {};
  await cache.get('report:a', load('a'), request);
  await cache.get('members:1', load('m'), request);
  assert.equal(state.reads, 1);
  await cache.get('report:a', load('a'));
  await cache.get('report:a', load('a'));
  assert.equal(state.reads, 3);
  // A scope validated before a change keeps what it saw; the next scope sees the change.
  state.counter++;
  assert.equal(await cache.get('report:a', load('new'), request), 'a');
  assert.equal(await cache.get('report:a', load('new'), {}), 'new');
});

test('a load that began before a change is never served after it', async () => {
  const { state, cache } = store();
  let finish: (value: string) => void = () => {};
  const slow = cache.get('token:a', () => new Promise<string>((resolve) => (finish = resolve)));
  await new Promise((resolve) => setImmediate(resolve));
  state.counter++; // the change commits while the old row is on its way
  const fresh = cache.get('token:a', async () => 'after the change');
  finish('before the change');
  assert.equal(await slow, 'before the change');
  assert.equal(await fresh, 'after the change');
  assert.equal(await cache.get('token:a', async () => 'reloaded'), 'after the change');
});

test('a failed load is not kept', async () => {
  const { cache, load } = store();
  await assert.rejects(
    cache.get('report:x', async () => {
      throw new Error('No report "x"');
    }),
    /No report/,
  );
  assert.equal(await cache.get('report:x', load('created since')), 'created since');
});

test('entries are bounded, the oldest dropped first', async () => {
  const { state, cache, load } = store();
  for (const name of ['a', 'b', 'c', 'd']) await cache.get(`token:${name}`, load(name));
  assert.equal(state.loads, 4);
  await cache.get('token:d', load('d'));
  assert.equal(state.loads, 4, 'the newest is kept');
  await cache.get('token:a', load('a'));
  assert.equal(state.loads, 5, 'the oldest was dropped');
});
