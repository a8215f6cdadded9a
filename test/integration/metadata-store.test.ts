import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { setUpDemoOnce } from '../../src/demo/demo-setup.ts';
import { internalContext } from '../../src/services/request-context.ts';
import { migrateToLatest, openMetadataStore } from '../../src/store/db.ts';
import { createPostgresDatabase, postgresReachable } from '../helpers/postgres-database.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function sqliteUrl() {
  const dir = mkdtempSync(path.join(tmpdir(), 'sr-store-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return { dataDir: dir, url: `sqlite:${path.join(dir, 'meta.sqlite')}` };
}

async function postgresUrlFor() {
  const database = await createPostgresDatabase('sr_store');
  cleanups.push(database.drop);
  return { dataDir: mkdtempSync(path.join(tmpdir(), 'sr-store-pg-')), url: database.url };
}

const reachable = await postgresReachable();
const dialects = [
  { name: 'sqlite', make: sqliteUrl, skip: false },
  { name: 'postgres', make: postgresUrlFor, skip: !reachable },
];

for (const dialect of dialects) {
  describe(`metadata store on ${dialect.name}`, { skip: dialect.skip && 'server not reachable' }, () => {
    test('migrations apply once and are idempotent', async () => {
      const { url } = await dialect.make();
      const store = openMetadataStore(url);
      try {
        assert.deepEqual(await migrateToLatest(store), [
          '0001-initial',
          '0002-report-revision',
          '0003-groups',
          '0004-users-sessions',
          '0005-schedules',
          '0006-versions-comments',
          '0007-rate-limits',
          '0008-request-id-report-deleted',
          '0009-connection-privilege-check',
          '0010-token-name-key',
          '0011-sso-refresh-token',
          '0012-metadata-change-counter',
        ]);
        assert.deepEqual(await migrateToLatest(store), []);
        const tables = await store.db.introspection.getTables();
        const names = tables.map((table) => table.name).filter((name) => !name.startsWith('kysely_'));
        assert.deepEqual(names.sort(), [
          'access_group',
          'app_user',
          'audit',
          'cluster',
          'cluster_member',
          'connection',
          'group_list',
          'group_member',
          'metadata_change',
          'panel_section',
          'rate_limit',
          'report',
          'report_comment',
          'report_field',
          'report_group',
          'report_version',
          'schedule',
          'schedule_run',
          'session',
          'token',
        ]);
      } finally {
        await store.close();
      }
    });

    test('the demo sets up, runs, and survives a restart without a second setup', async () => {
      const { url, dataDir } = await dialect.make();
      const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: url, LOG_LEVEL: 'silent' });
      const first = await buildApp(config);
      const header = await setUpDemoOnce(first);
      assert.ok(header);
      const response = await first.server.inject({
        url: '/api/call/customer-by-id/?_id=42',
        headers: { authorization: header },
      });
      assert.equal(response.json().records[0].id, 42);
      const connections = await first.services.connections.list(internalContext('admin'));
      assert.deepEqual(
        connections.map((c) => c.name),
        ['demo', 'demo-replica'],
      );
      await first.close();
      const second = await buildApp(config);
      try {
        assert.equal(await setUpDemoOnce(second), null);
        const again = await second.server.inject({
          url: '/api/call/customer-by-id/?_id=7',
          headers: { authorization: header },
        });
        assert.equal(again.json().records[0].id, 7);
        const audit = await second.store.db.selectFrom('audit').select('action').execute();
        assert.ok(audit.some((row) => row.action === 'token.create'));
      } finally {
        await second.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
