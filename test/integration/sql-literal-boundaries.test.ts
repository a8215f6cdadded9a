/**
 * Literals end where the database says they end: a request value printed with `{{ }}` or bound
 * with `:name` never runs as SQL, on real servers, through /api/call. Each hostile value would
 * add a `leak` column (the database user's name) if the scanner read the text differently from
 * the server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { reportRepo } from '../../src/store/report-repo.ts';
import { type ReportConnection, reportConnections } from '../helpers/report-connections.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let connections: ReportConnection[] = [];

before(async () => {
  t = await createTestApp();
  connections = await reportConnections(t, 'literal');
});
after(() => t.close());

const admin = () => ({ authorization: t.adminHeader });
const HOSTILE_PG = 'AS a, current_user AS leak, ';
const HOSTILE_MY = ', current_user() AS leak, ';

function clusterOf(dialect: ReportConnection['dialect']): string | undefined {
  return connections.find((c) => c.dialect === dialect)?.cluster;
}

const save = (name: string, cluster: string, sql: string) =>
  t.app.server.inject({
    method: 'POST',
    url: '/api/admin/reports/',
    headers: admin(),
    payload: { name, cluster, sql, groups: ['*'], fields: [{ name: '_x', type: 'text' }] },
  });

const call = (slug: string, x: string) =>
  t.app.server.inject({ url: `/api/call/${slug}/?_x=${encodeURIComponent(x)}`, headers: admin() });

describe('PostgreSQL string continuation', () => {
  test("a value after a continued E'' string is refused instead of running as SQL", async (context) => {
    const cluster = clusterOf('postgres');
    if (!cluster) return context.skip('PostgreSQL not reachable');
    // PostgreSQL reads `'\' ` as part of E'note:', so the string would end inside the value.
    for (const [index, gap] of ['\n', ' -- a remark\n', '\n-- a remark\n'].entries()) {
      const saved = await save(
        `Literal continued ${index}`,
        cluster,
        `SELECT E'note:'${gap}'\\' {{ _x }} ' AS s`,
      );
      assert.equal(saved.statusCode, 201, saved.body);
      const response = await call(`literal-continued-${index}`, HOSTILE_PG);
      assert.doesNotMatch(response.body, /leak/);
      assert.equal(response.statusCode, 400, response.body);
      assert.match(response.json().message, /prints a value inside quotes/);
    }
  });

  test('a continued string still reads as one value, and values print after it', async (context) => {
    const cluster = clusterOf('postgres');
    if (!cluster) return context.skip('PostgreSQL not reachable');
    const sql = "SELECT 'no'\n-- joined\n'te' AS s, E'a\\''\n'\\'b' AS e, {{ _x }} AS v";
    const saved = await save('Literal joined', cluster, sql);
    assert.equal(saved.statusCode, 201, saved.body);
    const response = await call('literal-joined', HOSTILE_PG);
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json().records, [{ s: 'note', e: "a''b", v: HOSTILE_PG }]);
  });
});

describe('MySQL/MariaDB executable comments', () => {
  // MariaDB runs the comment's body: `' */ '` is a string there, so the printed value's quotes
  // would close and reopen literals around the value's text.
  const sql = "SELECT 1 AS a /*! , ' */ {{ _x }} /* ' AS b */";

  test('a report holding one is refused at save, naming it', async (context) => {
    const cluster = clusterOf('mysql');
    if (!cluster) return context.skip('MariaDB not reachable');
    const saved = await save('Literal executable', cluster, sql);
    assert.equal(saved.statusCode, 400, saved.body);
    assert.match(saved.json().message, /executable comment \(\/\*! … \*\/\)/);
    const versioned = await save('Literal versioned', cluster, 'SELECT 1 AS a /*!50000 , 2 AS b */');
    assert.match(versioned.json().message, /executable comment/);
    const mariadb = await save('Literal mariadb', cluster, 'SELECT 1 AS a /*M! , 2 AS b */');
    assert.match(mariadb.json().message, /executable comment \(\/\*M! … \*\/\)/);
  });

  test('one stored before the rule is refused when run with a hostile value', async (context) => {
    const cluster = clusterOf('mysql');
    if (!cluster) return context.skip('MariaDB not reachable');
    const saved = await save('Literal stored', cluster, 'SELECT {{ _x }} AS a');
    assert.equal(saved.statusCode, 201, saved.body);
    const repo = reportRepo(t.app.store.db);
    const row = await repo.findBySlug('literal-stored');
    assert.ok(row);
    await repo.update(row.id, { sql_body: sql });
    const response = await call('literal-stored', HOSTILE_MY);
    assert.doesNotMatch(response.body, /leak/);
    assert.equal(response.statusCode, 400, response.body);
    assert.match(response.json().message, /executable comment/);
  });

  test('plain comments and optimizer hints still run', async (context) => {
    const cluster = clusterOf('mysql');
    if (!cluster) return context.skip('MariaDB not reachable');
    const saved = await save('Literal hints', cluster, 'SELECT /*+ NO_ICP() */ {{ _x }} AS a /* ! */');
    assert.equal(saved.statusCode, 201, saved.body);
    const response = await call('literal-hints', HOSTILE_MY);
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json().records, [{ a: HOSTILE_MY }]);
  });
});

describe('a placeholder glued to a word', () => {
  test('THEN:_x binds the value on every database instead of merging into one identifier', async () => {
    for (const { dialect, cluster } of connections) {
      const saved = await save(
        `Literal glued ${dialect}`,
        cluster,
        "SELECT CASE WHEN 1 = 1 THEN:_x ELSE 'other' END AS v",
      );
      assert.equal(saved.statusCode, 201, saved.body);
      const hostile = dialect === 'mysql' ? HOSTILE_MY : HOSTILE_PG;
      const response = await call(`literal-glued-${dialect}`, hostile);
      assert.equal(response.statusCode, 200, `${dialect}: ${response.body}`);
      const [record] = response.json().records;
      assert.equal(record.v, hostile, dialect);
      assert.equal(Object.hasOwn(record, 'leak'), false, dialect);
    }
  });
});
