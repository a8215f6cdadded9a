import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { accessGroupService } from '../../src/services/access-groups.ts';
import { auditService } from '../../src/services/audit.ts';
import { groupListService } from '../../src/services/group-lists.ts';
import { internalContext } from '../../src/services/request-context.ts';
import { accessGroupRepo } from '../../src/store/access-group-repo.ts';
import { migrateToLatest, openMetadataStore } from '../../src/store/db.ts';
import { createPostgresDatabase, postgresReachable } from '../helpers/postgres-database.ts';

/** A real 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});
const reachable = await postgresReachable();
const dialects = [
  {
    name: 'sqlite',
    skip: false,
    async url() {
      const dir = mkdtempSync(path.join(tmpdir(), 'sr-groups-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      return { url: `sqlite:${path.join(dir, 'meta.sqlite')}`, dataDir: dir };
    },
  },
  {
    name: 'postgres',
    skip: !reachable,
    async url() {
      const database = await createPostgresDatabase('sr_groups');
      cleanups.push(database.drop);
      const dir = mkdtempSync(path.join(tmpdir(), 'sr-groups-pg-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      return { url: database.url, dataDir: dir };
    },
  },
];

for (const dialect of dialects) {
  describe(`group repos on ${dialect.name}`, { skip: dialect.skip && 'server not reachable' }, () => {
    test('group lists, members and access groups', async () => {
      const { url, dataDir } = await dialect.url();
      const store = openMetadataStore(url);
      cleanups.push(() => store.close());
      await migrateToLatest(store);
      const audit = auditService({ db: store.db, queryAudit: false });
      const groupLists = groupListService({ db: store.db, audit, dataDir });
      const accessGroups = accessGroupService({ db: store.db, audit });
      const ctx = internalContext('admin');

      await groupLists.create(ctx, { name: 'b-list' });
      await groupLists.create(ctx, { name: 'a-list', description: 'first' });
      await groupLists.addMember(ctx, 'b-list', 'X@Example.com');
      await groupLists.addMember(ctx, 'a-list', 'x@example.com');
      await groupLists.addMember(ctx, 'a-list', 'x@example.com');
      assert.deepEqual(await groupLists.groupsContaining('x@EXAMPLE.com'), ['a-list', 'b-list']);
      assert.deepEqual(
        (await groupLists.list(ctx)).map((g) => [g.name, g.members]),
        [
          ['a-list', ['x@example.com']],
          ['b-list', ['x@example.com']],
        ],
      );
      await groupLists.setImage(ctx, 'a-list', { bytes: PNG, filename: 'a.png' });
      const file = path.basename((await groupLists.get(ctx, 'a-list')).image ?? '');
      assert.ok(existsSync(path.join(dataDir, 'uploads', 'group-images', file)));
      assert.equal((await groupLists.image(ctx, file)).contentType, 'image/png');
      await groupLists.delete(ctx, 'a-list');
      assert.ok(!existsSync(path.join(dataDir, 'uploads', 'group-images', file)), 'the image goes too');
      const orphans = await store.db.selectFrom('group_member').selectAll().execute();
      assert.equal(orphans.length, 1, 'members of a deleted list are deleted with it');
      await assert.rejects(() => groupLists.create(ctx, { name: 'b-list' }), /already exists/);

      await accessGroups.save(ctx, { table: 'game', group: 'b', where: 'host_id=2' });
      await accessGroups.save(ctx, { table: 'game', group: 'a', where: 'host_id=1' });
      await accessGroups.save(ctx, { table: 'game', group: '*', where: 'host_id=3' });
      await assert.rejects(() =>
        accessGroupRepo(store.db).insert({ table_name: 'game', group_name: 'a', where_sql: '1=1' }),
      );
      await accessGroups.save(ctx, { table: 'game', group: 'a', where: 'host_id = 1' }, { replace: true });
      const principal = { ...ctx.principal, groups: ['b', 'a', '*'] };
      const fragments = await accessGroups.fragmentsFor(principal);
      assert.equal(String(fragments.game), '(host_id = 1)');
      assert.equal(String(fragments.other), '1=0');
      assert.equal(
        String((await accessGroups.fragmentsFor({ ...ctx.principal, groups: ['z'] })).game),
        '(host_id=3)',
      );
    });
  });
}
