/**
 * The change counter behind the in-memory metadata (migration 0012): every write to a table an
 * instance caches moves it, in the write's own transaction, so a change that rolls back leaves it
 * alone. Run on a SQLite and on a PostgreSQL metadata store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { metadataChangeRepo } from '../../src/store/metadata-change-repo.ts';
import { CACHED_TABLES } from '../../src/store/migrations/0012-metadata-change-counter.ts';
import { failInserts } from '../helpers/failing-writes.ts';
import { metadataStores } from '../helpers/metadata-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const stores = await metadataStores('sr_change_counter');

/** A column of each cached table that an update can set to itself. */
const SELF_UPDATES: Record<(typeof CACHED_TABLES)[number], string> = {
  token: 'name',
  report: 'name',
  report_group: 'group_name',
  report_field: 'name',
  panel_section: 'title',
  cluster: 'name',
  cluster_member: 'position',
  connection: 'name',
  access_group: 'where_sql',
};

for (const store of stores) {
  describe(`the metadata change counter on a ${store.name} store`, {
    skip: store.skip && 'server not reachable',
  }, () => {
    let t: TestApp;
    let counter: () => Promise<string>;
    before(async () => {
      t = await createTestApp(await store.env());
      // The read the server makes: on SQLite straight on the driver handle.
      counter = metadataChangeRepo(t.app.store.db, t.app.store.client).counter;
    });
    after(async () => {
      await t?.close();
      await store.drop();
    });
    const admin = (method: 'POST' | 'DELETE', url: string, payload?: object) =>
      t.app.server.inject({ method, url, headers: { authorization: t.adminHeader }, payload });

    test('an insert and a delete through the admin API each move it', async () => {
      const start = await counter();
      const created = await admin('POST', '/api/admin/access-groups/', {
        table: 'customer',
        group: 'counted',
        where: 'id = 1',
      });
      assert.equal(created.statusCode, 201, created.body);
      const afterInsert = await counter();
      assert.ok(BigInt(afterInsert) > BigInt(start));
      const id = (created.json() as { records: Array<{ id: number }> }).records[0]?.id;
      assert.equal((await admin('DELETE', `/api/admin/access-groups/${id}/`)).statusCode, 200);
      assert.ok(BigInt(await counter()) > BigInt(afterInsert));
    });

    test('the driver-handle read and the Kysely read see the same counter, before and after a change', async () => {
      const throughKysely = metadataChangeRepo(t.app.store.db).counter;
      assert.equal(await counter(), await throughKysely());
      await admin('POST', '/api/admin/access-groups/', { table: 'customer', group: 'both', where: 'id = 3' });
      assert.equal(await counter(), await throughKysely());
    });

    test('an update of any cached table moves it', async () => {
      // The demo's rows, and one access-group entry, so that every table has a row to update.
      await admin('POST', '/api/admin/access-groups/', { table: 'customer', group: 'kept', where: 'id = 2' });
      for (const table of CACHED_TABLES) {
        const column = sql.ref(SELF_UPDATES[table]);
        const { rows } = await sql<{
          n: string | number;
        }>`select count(*) as n from ${sql.table(table)}`.execute(t.app.store.db);
        assert.ok(Number(rows[0]?.n) > 0, `${table} has a row to update`);
        const before = await counter();
        await sql`update ${sql.table(table)} set ${column} = ${column}`.execute(t.app.store.db);
        assert.ok(BigInt(await counter()) > BigInt(before), `an update of ${table} moves the counter`);
      }
    });

    test('every cached table has a trigger for insert, update and delete', async () => {
      for (const table of CACHED_TABLES) {
        const events =
          t.app.store.dialect === 'sqlite'
            ? (
                await sql<{ sql: string }>`select sql from sqlite_master
                  where type = 'trigger' and tbl_name = ${table}`.execute(t.app.store.db)
              ).rows
                .filter((row) => row.sql.includes('metadata_change'))
                .map((row) => /after (\w+) on/i.exec(row.sql)?.[1]?.toLowerCase())
            : (
                await sql<{ event: string }>`select lower(event_manipulation) as event
                  from information_schema.triggers where event_object_table = ${table}
                  and action_statement like '%bump_metadata_change%'`.execute(t.app.store.db)
              ).rows.map((row) => row.event);
        assert.deepEqual(new Set(events), new Set(['insert', 'update', 'delete']), table);
      }
    });

    test('a change that rolls back leaves it where it was', async () => {
      const lift = await failInserts(t.app.store, 'audit');
      try {
        const before = await counter();
        const refused = await admin('POST', '/api/admin/tokens/', {
          name: 'never-kept',
          groups: ['x'],
          expiry: '1d',
        });
        assert.equal(refused.statusCode, 500, refused.body);
        assert.equal(await counter(), before);
      } finally {
        await lift();
      }
    });
  });
}
