/**
 * The web app's mutations refresh only the queries they affect: each `affectedBy` entry, run
 * through TanStack Query's own QueryClient over a cache holding one query of every kind,
 * invalidates exactly the expected ones.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueryClient, type QueryKey } from '@tanstack/react-query';
import { affectedBy, invalidate, queryKeys } from '../../web/src/query-keys.ts';

const cached: Record<string, QueryKey> = {
  me: queryKeys.me,
  reportList: queryKeys.reportList,
  gst: queryKeys.report('gst'),
  gstVersions: queryKeys.versions('gst'),
  gstVersion2: queryKeys.version('gst', 2),
  gstComments: queryKeys.comments('gst'),
  gstRun: queryKeys.run('gst', { _from: '2026-01-01' }, 1),
  gstTemplate: queryKeys.template('gst', {}),
  sales: queryKeys.report('sales'),
  salesVersions: queryKeys.versions('sales'),
  choices: queryKeys.fieldChoices(7),
  updates: queryKeys.updates,
  schedules: queryKeys.schedules,
  scheduleRuns: queryKeys.scheduleRuns(3),
  tokens: queryKeys.admin.tokens,
  connections: queryKeys.admin.connections,
  clusters: queryKeys.admin.clusters,
  users: queryKeys.admin.users,
  groupLists: queryKeys.admin.groupLists,
  accessGroups: queryKeys.admin.accessGroups,
  audit: queryKeys.admin.audit({ principal: 'ann' }),
};

/** The names of the cached queries that `keys` marks stale. */
async function invalidated(keys: readonly QueryKey[]): Promise<string[]> {
  const client = new QueryClient();
  for (const key of Object.values(cached)) client.setQueryData(key, 'cached');
  await invalidate(client, keys);
  return Object.entries(cached)
    .filter(([, key]) => client.getQueryState(key)?.isInvalidated)
    .map(([name]) => name)
    .sort();
}

const sorted = (names: string[]) => [...names].sort();

test('a token change refreshes the token list only', async () => {
  assert.deepEqual(await invalidated(affectedBy.token), ['tokens']);
});

test('connections refresh their clusters; a connection test only the connections', async () => {
  assert.deepEqual(await invalidated(affectedBy.connection), ['clusters', 'connections']);
  assert.deepEqual(await invalidated(affectedBy.connectionTest), ['connections']);
});

test('a group list change refreshes the home page pictures; members only the lists', async () => {
  assert.deepEqual(await invalidated(affectedBy.groupList), ['groupLists', 'reportList']);
  assert.deepEqual(await invalidated(affectedBy.groupMembers), ['groupLists']);
});

test('deleting a user refreshes the users and the schedules with their runs', async () => {
  assert.deepEqual(await invalidated(affectedBy.userDeleted), ['scheduleRuns', 'schedules', 'users']);
});

test('promoting a version refreshes that report and its versions, not another report', async () => {
  assert.deepEqual(
    await invalidated(affectedBy.promotion('gst')),
    sorted([
      'gst',
      'gstVersions',
      'gstVersion2',
      'gstComments',
      'gstRun',
      'gstTemplate',
      'reportList',
      'choices',
      'updates',
    ]),
  );
});

test('a review step refreshes the versions and what waits for review, not the live report', async () => {
  assert.deepEqual(
    await invalidated(affectedBy.reviewStep('gst')),
    sorted(['gstVersions', 'gstVersion2', 'updates']),
  );
});

test('saving a renamed report refreshes it under both slugs', async () => {
  const names = await invalidated(affectedBy.reportSaved('gst', 'sales'));
  assert.ok(names.includes('gst') && names.includes('sales') && names.includes('salesVersions'));
  assert.ok(!names.includes('tokens') && !names.includes('schedules') && !names.includes('me'));
});

test('a bundle import refreshes what bundles hold and leaves tokens, users and the session', async () => {
  const names = await invalidated(affectedBy.bundleImport);
  for (const name of [
    'gst',
    'sales',
    'reportList',
    'connections',
    'clusters',
    'groupLists',
    'accessGroups',
  ]) {
    assert.ok(names.includes(name), name);
  }
  for (const name of ['tokens', 'users', 'me', 'schedules', 'audit']) assert.ok(!names.includes(name), name);
});

test('comments and schedules refresh their own lists', async () => {
  assert.deepEqual(await invalidated(affectedBy.comments('gst')), ['gstComments']);
  assert.deepEqual(await invalidated(affectedBy.schedule), ['scheduleRuns', 'schedules']);
});
