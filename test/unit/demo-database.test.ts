import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createDemoDatabase } from '../../src/demo/demo-database.ts';

const TABLES = ['region', 'customer', 'product', 'orders', 'order_item', 'game'] as const;

function countRows(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const counts: Record<string, number> = {};
    for (const table of TABLES) {
      counts[table] = (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    }
    return counts;
  } finally {
    db.close();
  }
}

function queryAll(file: string, sql: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe('createDemoDatabase', () => {
  let dir: string;
  let first: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'demo-db-'));
    first = join(dir, 'nested', 'demo.sqlite');
    createDemoDatabase(first);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fills every table with thousands of rows in all', () => {
    const counts = countRows(first);
    for (const table of TABLES) assert.ok((counts[table] ?? 0) > 0, `${table} is empty`);
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    assert.ok(total >= 5000, `only ${total} rows`);
    assert.ok((counts.customer ?? 0) >= 1000);
    assert.ok((counts.order_item ?? 0) >= (counts.orders ?? 0));
  });

  it('keeps foreign keys consistent', () => {
    const orphans = queryAll(
      first,
      `select 'orders' as t, count(*) as n from orders where customer_id not in (select id from customer)
       union all select 'customer', count(*) from customer where region_id not in (select id from region)
       union all select 'order_item.order', count(*) from order_item where order_id not in (select id from orders)
       union all select 'order_item.product', count(*) from order_item
         where product_id not in (select id from product)`,
    );
    for (const row of orphans as { t: string; n: number }[]) assert.equal(row.n, 0, `orphans in ${row.t}`);
    const empty = queryAll(
      first,
      'select count(*) as n from orders where id not in (select order_id from order_item)',
    );
    assert.deepEqual(empty, [{ n: 0 }]);
  });

  it('uses the documented value formats', () => {
    const [customer] = queryAll(
      first,
      'select created_at, active, credit_limit from customer where id = 1',
    ) as {
      created_at: string;
      active: number;
      credit_limit: number;
    }[];
    assert.match(customer!.created_at, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
    assert.ok(customer!.active === 0 || customer!.active === 1);
    assert.ok(customer!.credit_limit > 0);
    const dates = queryAll(
      first,
      "select count(*) as n from orders where ordered_on not glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'",
    );
    assert.deepEqual(dates, [{ n: 0 }]);
    const hosts = queryAll(
      first,
      'select host_id, count(*) as n from game group by host_id order by host_id',
    ) as {
      host_id: number;
      n: number;
    }[];
    assert.deepEqual(
      hosts.map((row) => row.host_id),
      [1, 2, 3],
    );
    const [game] = queryAll(first, 'select details from game where id = 1') as { details: string }[];
    assert.equal(typeof JSON.parse(game!.details).players, 'number');
  });

  it('declares the column types the SQLite driver maps by', () => {
    const columns = queryAll(first, "select name, type from pragma_table_info('customer')") as {
      name: string;
      type: string;
    }[];
    const types = Object.fromEntries(columns.map((column) => [column.name, column.type]));
    assert.deepEqual(types, {
      id: 'INTEGER',
      name: 'TEXT',
      email: 'TEXT',
      region_id: 'INTEGER',
      created_at: 'TIMESTAMP',
      active: 'BOOLEAN',
      credit_limit: 'DECIMAL',
    });
  });

  it('is deterministic', () => {
    const second = join(dir, 'other.sqlite');
    createDemoDatabase(second);
    const sample = `select c.id, c.name, c.email, c.created_at, c.credit_limit, o.id as order_id, o.ordered_on, o.total
      from customer c join orders o on o.customer_id = c.id where c.id % 97 = 0 order by o.id`;
    const rows = queryAll(first, sample);
    assert.ok(rows.length > 10);
    assert.deepEqual(queryAll(second, sample), rows);
    const games = 'select * from game order by id';
    assert.deepEqual(queryAll(second, games), queryAll(first, games));
  });

  it('does nothing when the file already exists', () => {
    // A marker row proves the file was neither rebuilt nor appended to.
    const db = new Database(first);
    db.prepare("insert into region (id, name) values (1000, 'Marker')").run();
    db.close();
    const before = countRows(first);
    createDemoDatabase(first);
    assert.deepEqual(countRows(first), before);
    assert.deepEqual(queryAll(first, 'select name from region where id = 1000'), [{ name: 'Marker' }]);
    assert.deepEqual(
      readdirSync(join(dir, 'nested')).filter((name) => name.endsWith('.tmp')),
      [],
    );
  });
});
