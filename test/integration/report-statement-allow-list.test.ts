/**
 * Only one read-only statement reaches a database: on real PostgreSQL, MariaDB and SQLite, the
 * issue's attack statements are refused at save, at preview, and at run time for a definition
 * written to the store before the rule existed — and no file or program they name is touched.
 * The same words inside literals, quoted identifiers and comments still run.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DriverName } from '../../src/datasources/driver.ts';
import { reportRepo } from '../../src/store/report-repo.ts';
import { type ReportConnection, reportConnections } from '../helpers/report-connections.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let connections: ReportConnection[] = [];
const marker = path.join(tmpdir(), `sr-allow-list-${process.pid}`);

before(async () => {
  t = await createTestApp();
  connections = await reportConnections(t, 'allow');
});
after(async () => {
  rmSync(marker, { force: true });
  await t.close();
});

const admin = () => ({ authorization: t.adminHeader });

/** Attacks per dialect, with the word the refusal must name. */
const ATTACKS: Record<DriverName, Array<[string, RegExp]>> = {
  postgres: [
    [`COPY (select 1) TO PROGRAM 'touch ${marker}'`, /\(found COPY\)/],
    [`select 1 as a; COPY (select 1) TO PROGRAM 'touch ${marker}'`, /found (more SQL after ";"|COPY)/],
    ['select * into sr_allow_copy from (select 1 as a) s', /found INTO/],
    ['with d as (delete from sr_allow_missing returning *) select * from d', /found DELETE/],
    ['explain analyze select 1', /found EXPLAIN ANALYZE/],
    ['do $$ begin perform 1; end $$', /\(found DO\)/],
    ["select set_config('search_path', 'sr_allow_evil', false)", /found set_config\(\)/],
  ],
  mysql: [
    [`select 1 into outfile '${marker}'`, /found INTO/],
    [`select 1 into dumpfile '${marker}'`, /found INTO/],
    ['select 1 into @sr_allow', /found INTO/],
    [`load data infile '${marker}' into table region`, /\(found LOAD\)/],
    ['call sr_allow_missing()', /\(found CALL\)/],
    ['select @sr_allow := current_user() as who', /found ":="/],
  ],
  sqlite: [
    ['delete from region', /\(found DELETE\)/],
    ['select 1; delete from region', /found (more SQL after ";"|DELETE)/],
    ['pragma journal_mode = wal', /\(found PRAGMA\)/],
  ],
};

/** The refused words where they are data, names and remarks, with the row each must return. */
const HARMLESS: Record<DriverName, [string, Record<string, unknown>]> = {
  postgres: [
    `select 'COPY (select 1) TO PROGRAM ''touch ${marker}''' as "into", 1 as "copy" -- delete; into outfile\n/* call do() */`,
    { into: `COPY (select 1) TO PROGRAM 'touch ${marker}'`, copy: 1 },
  ],
  mysql: [
    `select 'select 1 into outfile ''${marker}''' as \`into\`, 1 as \`copy\` -- delete; call\n/* load data */ # do`,
    { into: `select 1 into outfile '${marker}'`, copy: 1 },
  ],
  sqlite: [
    `select 'delete from region; into' as "into", 1 as [copy] -- update\n/* insert */`,
    { into: 'delete from region; into', copy: 1 },
  ],
};

const save = (name: string, cluster: string, sql: string) =>
  t.app.server.inject({
    method: 'POST',
    url: '/api/admin/reports/',
    headers: admin(),
    payload: { name, cluster, sql, groups: ['*'] },
  });

const preview = (cluster: string, sql: string) =>
  t.app.server.inject({
    method: 'POST',
    url: '/api/admin/reports/preview/',
    headers: admin(),
    payload: { report: { name: 'Allow preview', cluster, sql, groups: ['*'] } },
  });

const run = (slug: string) => t.app.server.inject({ url: `/api/call/${slug}/`, headers: admin() });

describe('report statements are one read-only statement', () => {
  test('every database was reached', () => {
    assert.ok(connections.length > 0, 'at least SQLite');
  });

  for (const dialect of ['postgres', 'mysql', 'sqlite'] as const) {
    test(`${dialect}: attack statements are refused at save and at preview, naming what was found`, async (context) => {
      const target = connections.find((c) => c.dialect === dialect);
      if (!target) return context.skip(`${dialect} not reachable`);
      for (const [index, [sql, found]] of ATTACKS[dialect].entries()) {
        const saved = await save(`Allow ${dialect} attack ${index}`, target.cluster, sql);
        assert.equal(saved.statusCode, 400, `${sql}: ${saved.body}`);
        assert.match(saved.json().message, /must be one read-only statement/);
        assert.match(saved.json().message, found);
        const previewed = await preview(target.cluster, sql);
        assert.equal(previewed.statusCode, 400, `${sql}: ${previewed.body}`);
        assert.match(previewed.json().message, found);
      }
      assert.equal(existsSync(marker), false, 'no program ran and no file was written');
    });

    test(`${dialect}: a definition stored before the rule is refused when run`, async (context) => {
      const target = connections.find((c) => c.dialect === dialect);
      if (!target) return context.skip(`${dialect} not reachable`);
      const name = `Allow ${dialect} stored`;
      const saved = await save(name, target.cluster, 'select 1 as a');
      assert.equal(saved.statusCode, 201, saved.body);
      const slug = `allow-${dialect}-stored`;
      const repo = reportRepo(t.app.store.db);
      const row = await repo.findBySlug(slug);
      assert.ok(row);
      for (const [sql, found] of ATTACKS[dialect]) {
        // Written past the service, as a definition saved by an older version would be.
        await repo.update(row.id, { sql_body: sql });
        const response = await run(slug);
        assert.equal(response.statusCode, 400, `${sql}: ${response.body}`);
        assert.match(response.json().message, found);
      }
      assert.equal(existsSync(marker), false, 'no program ran and no file was written');
    });

    test(`${dialect}: the same words inside literals, quoted identifiers and comments still run`, async (context) => {
      const target = connections.find((c) => c.dialect === dialect);
      if (!target) return context.skip(`${dialect} not reachable`);
      const [sql, row] = HARMLESS[dialect];
      const saved = await save(`Allow ${dialect} harmless`, target.cluster, sql);
      assert.equal(saved.statusCode, 201, saved.body);
      const response = await run(`allow-${dialect}-harmless`);
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json().records, [row]);
      const previewed = await preview(target.cluster, sql);
      assert.deepEqual(previewed.json().records, [row]);
    });
  }
});
