/**
 * The databases the driver suites loop over: how to reach each real server, how to write the
 * fixture through the npm driver directly (never through the code under test), and the few
 * things that differ per dialect (placeholders, a row generator, expected type names).
 *
 * `config` signs in as the least-privilege reader (databases.ts); the fixture, and the queries
 * that look at the server from outside (active statements), use the admin user.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type {
  Column,
  DataSource,
  DriverName,
  JsonValue,
  RowBatch,
  RunRequest,
} from '../../src/datasources/driver.ts';
import { mysqlAdminUrl, mysqlUrl, postgresAdminUrl, postgresUrl } from './databases.ts';
import { unavailable } from './skip-or-fail.ts';

export const TABLE = 'sr_driver_values';
const COLUMN_LIST = 'id, d, ts, amount, big, small, flag, doc, note, bin';

export interface DriverTarget {
  driver: DriverName;
  config: unknown;
  /**
   * A user who may write (the fixture's admin), let through with `allow_privileged_user`: the
   * read-only tests use it, since the reader's missing grants would refuse writes on their own.
   */
  writerConfig: unknown;
  /** Same driver, nothing listening; carries a password that must never show in a message. */
  unreachableConfig: unknown;
  columnTypes: string[];
  /** How the database words its refusal of a write. */
  readOnlyMessage: RegExp;
  /** Writes beyond the shared list, in this dialect. */
  extraWrites: string[];
  /** A single statement that tries to make later statements on the connection writable. */
  sessionEscape: string;
  /** Driver-specific queries and the one row each must return. */
  extras: Array<[string, JsonValue[]]>;
  ph(n: number): string;
  /** SQL yielding the integers 1..n in one column `n`. */
  series(n: number): string;
  /** A statement that runs about `seconds` and carries `marker` in its text. */
  sleep(seconds: number, marker: string): string;
  /** Why the suite skips when the server does not answer (it throws under CI), else undefined. */
  unavailable(): Promise<string | undefined>;
  setup(data: unknown[][]): Promise<void>;
  teardown(): Promise<void>;
  /** The first value of the first row, via the setup connection. */
  count(sql: string): Promise<number>;
  tableExists(name: string): Promise<boolean>;
  /** Statements still executing on the server whose text contains `marker` (other sessions only). */
  activeQueries(marker: string): Promise<number>;
}

/** Runs a request to the end and gathers the batches. */
export async function collect(
  ds: DataSource,
  request: RunRequest,
): Promise<{ batches: RowBatch[]; columns: Column[]; rows: JsonValue[][] }> {
  const batches: RowBatch[] = [];
  for await (const batch of ds.run(request)) batches.push(batch);
  return { batches, columns: batches[0]?.columns ?? [], rows: batches.flatMap((b) => b.rows) };
}

const redact = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');

function postgresTarget(): DriverTarget {
  let client: pg.Client | undefined;
  const admin = async () => {
    if (!client) {
      client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 3000 });
      await client.connect();
    }
    return client;
  };
  const first = async (sql: string, values: unknown[] = []) =>
    Number((await (await admin()).query({ text: sql, values, rowMode: 'array' })).rows[0]?.[0]);
  return {
    driver: 'postgres',
    config: { url: postgresUrl },
    writerConfig: { url: postgresAdminUrl, allow_privileged_user: true },
    unreachableConfig: { host: '127.0.0.1', port: 1, user: 'postgres', password: 'sekret', database: 'test' },
    readOnlyMessage: /read-only transaction/,
    extraWrites: [`truncate ${TABLE}`, `comment on table ${TABLE} is 'x'`, 'create sequence sr_driver_seq'],
    sessionEscape: 'set session characteristics as transaction read write',
    columnTypes: ['int4', 'date', 'timestamp', 'numeric', 'int8', 'int4', 'bool', 'jsonb', 'text', 'bytea'],
    extras: [
      [
        `select timestamptz '2024-01-02 04:04:05.123456+01' as a, timestamptz '2024-06-30 23:59:59+05:30' as b`,
        ['2024-01-02 03:04:05.123456+00:00', '2024-06-30 18:29:59.000000+00:00'],
      ],
      [
        `select 'NaN'::numeric as a, 'Infinity'::float8 as b, 12.50::numeric(6,2) as c, 1.5::float4 as d,
                0.1::float8 as e, '{1,2}'::int[] as f, 32767::int2 as g, time '13:45:59.5' as h`,
        ['NaN', 'Infinity', 12.5, 1.5, 0.1, [1, 2], 32767, '13:45:59.5'],
      ],
      [
        `select 123456789012345678901234567890::numeric as a, 0.0000001::numeric as b, (-0.000)::numeric as c,
                1e20::numeric as d, timestamp '2024-02-29 13:45:59' as e, date '2024-02-29' as f`,
        [
          '123456789012345678901234567890',
          1e-7,
          0,
          '100000000000000000000',
          '2024-02-29 13:45:59.000000',
          '2024-02-29',
        ],
      ],
    ],
    ph: (n) => `$${n}`,
    series: (n) => `select g as n from generate_series(1, ${n}) as g`,
    sleep: (seconds, marker) => `select pg_sleep(${seconds}) as slept, '${marker}' as marker`,
    async unavailable() {
      try {
        await first('select 1');
        return undefined;
      } catch (error) {
        return unavailable(
          `PostgreSQL not reachable at ${redact(postgresAdminUrl)} (${(error as Error).message})`,
        );
      }
    },
    async setup(data) {
      const c = await admin();
      await c.query(`drop table if exists ${TABLE}; drop table if exists sr_driver_created`);
      await c.query(
        `create table ${TABLE} (id int primary key, d date, ts timestamp(6), amount numeric(30,4), big bigint,
         small int, flag boolean, doc jsonb, note text, bin bytea)`,
      );
      for (const row of data) {
        await c.query(`insert into ${TABLE} (${COLUMN_LIST}) values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`, row);
      }
    },
    async teardown() {
      await client?.query(`drop table if exists ${TABLE}`);
      await client?.end();
      client = undefined;
    },
    count: (sql) => first(sql),
    tableExists: async (name) =>
      (await first('select count(*) from pg_class where relname = $1', [name])) > 0,
    activeQueries: (marker) =>
      first(
        `select count(*) from pg_stat_activity
          where state = 'active' and pid <> pg_backend_pid() and query like '%' || $1 || '%'`,
        [marker],
      ),
  };
}

function mysqlTarget(): DriverTarget {
  let conn: mysql.Connection | undefined;
  const admin = async () => {
    conn ??= await mysql.createConnection({
      uri: mysqlAdminUrl,
      connectTimeout: 3000,
      supportBigNumbers: true,
    });
    return conn;
  };
  const first = async (sql: string, values: unknown[] = []) => {
    const [rows] = await (await admin()).query({ sql, values, rowsAsArray: true });
    return Number((rows as unknown[][])[0]?.[0]);
  };
  return {
    driver: 'mysql',
    config: { url: mysqlUrl },
    writerConfig: { url: mysqlAdminUrl, allow_privileged_user: true },
    unreachableConfig: { host: '127.0.0.1', port: 1, user: 'root', password: 'sekret', database: 'test' },
    // MariaDB's READ ONLY *transaction* lets DDL through (it commits implicitly); the driver makes
    // the session read-only, which these statements prove.
    readOnlyMessage: /READ ONLY transaction/,
    extraWrites: [
      `truncate table ${TABLE}`,
      `rename table ${TABLE} to sr_driver_renamed`,
      'create database sr_driver_db',
    ],
    sessionEscape: 'set session transaction read write',
    // biome-ignore format: the type list reads best on one line
    columnTypes: ['int', 'date', 'datetime', 'decimal', 'bigint', 'int', 'boolean', 'json', 'text', 'varbinary'],
    extras: [
      [
        `select cast('2024-02-29 13:45:59.5' as datetime(3)) as a, cast(18446744073709551615 as unsigned) as b,
                cast(-5 as signed) as c, 1.50 as d, cast('2024-02-29' as date) as e, 'x' as f,
                cast('2024-02-29 13:45:59' as datetime) as g`,
        [
          '2024-02-29 13:45:59.500000',
          '18446744073709551615',
          -5,
          1.5,
          '2024-02-29',
          'x',
          '2024-02-29 13:45:59.000000',
        ],
      ],
    ],
    ph: () => '?',
    series: (n) => `select seq as n from seq_1_to_${n}`,
    sleep: (seconds, marker) => `select sleep(${seconds}) as slept, '${marker}' as marker`,
    async unavailable() {
      try {
        await first('select 1');
        return undefined;
      } catch (error) {
        return unavailable(
          `MariaDB/MySQL not reachable at ${redact(mysqlAdminUrl)} (${(error as Error).message})`,
        );
      }
    },
    async setup(data) {
      const c = await admin();
      await c.query(`drop table if exists ${TABLE}`);
      await c.query('drop table if exists sr_driver_created');
      await c.query(
        `create table ${TABLE} (id int primary key, d date, ts datetime(6), amount decimal(30,4), big bigint,
         small int, flag boolean, doc json, note text, bin varbinary(16)) character set utf8mb4`,
      );
      for (const row of data) {
        const values = row.map((v) => (typeof v === 'bigint' ? v.toString() : v));
        await c.execute(
          `insert into ${TABLE} (${COLUMN_LIST}) values (?,?,?,?,?,?,?,?,?,?)`,
          values as never,
        );
      }
    },
    async teardown() {
      await conn?.query(`drop table if exists ${TABLE}`);
      await conn?.end();
      conn = undefined;
    },
    count: (sql) => first(sql),
    tableExists: async (name) =>
      (await first(
        'select count(*) from information_schema.tables where table_schema = database() and table_name = ?',
        [name],
      )) > 0,
    activeQueries: (marker) =>
      first(
        `select count(*) from information_schema.processlist
          where id <> connection_id() and info like concat('%', ?, '%')`,
        [marker],
      ),
  };
}

function sqliteTarget(): DriverTarget {
  const dir = join(tmpdir(), `sr-drivers-${randomUUID()}`);
  const file = join(dir, 'reports.db');
  let db: Database.Database | undefined;
  const admin = () => {
    if (!db) {
      mkdirSync(dir, { recursive: true });
      db = new Database(file);
    }
    return db;
  };
  const first = (sql: string, values: unknown[] = []) =>
    Number(
      (
        admin()
          .prepare(sql)
          .raw(true)
          .get(...values) as unknown[]
      )[0],
    );
  return {
    driver: 'sqlite',
    config: { file },
    writerConfig: { file },
    unreachableConfig: { file: join(dir, 'missing', 'sekret.db') },
    // SQLite keeps the declared type; DECIMAL_TEXT has TEXT affinity, so a 30-digit decimal is
    // stored as written (a plain DECIMAL column has NUMERIC affinity and would round it to a REAL).
    readOnlyMessage: /read-only/,
    extraWrites: ["attach database ':memory:' as other", 'vacuum', 'pragma user_version = 7'],
    sessionEscape: 'pragma query_only = false',
    // biome-ignore format: the type list reads best on one line
    columnTypes: ['integer', 'date', 'timestamp', 'decimal_text(30,4)', 'bigint', 'int', 'boolean', 'json', 'text', 'blob'],
    extras: [
      [
        `select 9007199254740993 as a, 0.5 as b, x'00ff' as c, 'x' as d, null as e, 2 as f`,
        ['9007199254740993', 0.5, 'AP8=', 'x', null, 2],
      ],
    ],
    ph: () => '?',
    series: (n) =>
      `with recursive s(n) as (select 1 union all select n + 1 from s where n < ${n}) select n from s`,
    sleep: () => 'with recursive s(n) as (select 1 union all select n + 1 from s) select n from s',
    unavailable: async () => undefined,
    async setup(data) {
      admin().exec(`drop table if exists ${TABLE}; drop table if exists sr_driver_created;
        create table ${TABLE} (id INTEGER PRIMARY KEY, d DATE, ts TIMESTAMP, amount DECIMAL_TEXT(30,4), big BIGINT,
        small INT, flag BOOLEAN, doc JSON, note TEXT, bin BLOB)`);
      const insert = admin().prepare(`insert into ${TABLE} (${COLUMN_LIST}) values (?,?,?,?,?,?,?,?,?,?)`);
      for (const row of data) insert.run(...row.map((v) => (typeof v === 'boolean' ? Number(v) : v)));
    },
    async teardown() {
      db?.close();
      db = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
    count: async (sql) => first(sql),
    tableExists: async (name) => first('select count(*) from sqlite_master where name = ?', [name]) > 0,
    activeQueries: async () => 0, // no server: a run that stopped has returned the thread
  };
}

export const targets: DriverTarget[] = [postgresTarget(), mysqlTarget(), sqliteTarget()];
