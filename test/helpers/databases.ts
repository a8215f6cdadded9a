/**
 * Where the integration suites find real database servers. A suite whose server does not answer
 * is skipped with a printed notice; it is never replaced by a fake.
 *
 * Two kinds of URL per server:
 * - `postgresUrl` / `mysqlUrl`: a least-privilege, read-only user, as docs/security.md tells
 *   operators to create. These are what report connections (the code under test) sign in with;
 *   a superuser would be refused by the privilege check anyway.
 * - `postgresAdminUrl` / `mysqlAdminUrl`: the server's superuser, for fixtures only — creating
 *   tables, databases and users through the npm driver directly, never through the code under
 *   test. `TEST_POSTGRES_URL` / `TEST_MYSQL_URL` override these; the reader URLs follow them.
 *
 * The readers are created (idempotently) when this module loads, by a top-level await, so a
 * suite can use the URLs as plain constants.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';

export const postgresAdminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const mysqlAdminUrl = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export const READER_USER = 'sr_report_reader';
const READER_PASSWORD = 'sr-reader-pw';

/** `url` signed in as `user` instead (same server, same database). */
export function withUser(url: string, user: string, password: string): string {
  const changed = new URL(url);
  changed.username = user;
  changed.password = password;
  return changed.toString();
}

export const postgresUrl = withUser(postgresAdminUrl, READER_USER, READER_PASSWORD);
export const mysqlUrl = withUser(mysqlAdminUrl, READER_USER, READER_PASSWORD);

/**
 * Lets the reader read tables in `databaseUrl`'s database, present and future (those the admin
 * user creates later): the docs/security.md statements, run as the admin.
 */
export async function grantPostgresReader(databaseUrl: string, role = READER_USER): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  await admin.connect();
  try {
    const owner = decodeURIComponent(new URL(databaseUrl).username) || 'postgres';
    const database = (await admin.query('select current_database() as d')).rows[0].d as string;
    await admin.query(`grant connect on database "${database}" to ${role}`);
    await admin.query(`grant usage on schema public to ${role}`);
    await admin.query(`grant select on all tables in schema public to ${role}`);
    await admin.query(
      `alter default privileges for role "${owner}" in schema public grant select on tables to ${role}`,
    );
  } finally {
    await admin.end().catch(() => {});
  }
}

/** Creates a PostgreSQL login role that can only read, unless it exists (other suites race us). */
export async function createPostgresReader(role: string, password: string): Promise<void> {
  const admin = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 3000 });
  await admin.connect();
  try {
    await admin.query(`do $$ begin
        create role ${role} login password '${password}';
      exception when duplicate_object then null; end $$`);
    await admin.query(`alter role ${role} set default_transaction_read_only = on`);
  } finally {
    await admin.end().catch(() => {});
  }
  await grantPostgresReader(postgresAdminUrl, role);
}

/** Creates (or resets) a MariaDB/MySQL user with `grants` (SQL after GRANT, before TO) on the test database. */
export async function createMysqlUser(user: string, password: string, grants: string): Promise<void> {
  const admin = await mysql.createConnection({ uri: mysqlAdminUrl, connectTimeout: 3000 });
  try {
    const database = decodeURIComponent(new URL(mysqlAdminUrl).pathname.slice(1)) || 'test';
    await admin.query(`create user if not exists '${user}'@'%' identified by '${password}'`);
    await admin.query(`alter user '${user}'@'%' identified by '${password}'`);
    await admin.query(`grant ${grants.replaceAll('$db', `\`${database}\``)} to '${user}'@'%'`);
  } finally {
    await admin.end().catch(() => {});
  }
}

/** Two suites may create the same role at once; a lost race fails a statement, so try again once. */
async function twice(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch {
    await new Promise((resolve) => setTimeout(resolve, 200));
    await work();
  }
}

// A server that does not answer leaves this silent: each suite probes its server and skips (or,
// under CI, fails) with its own notice.
await Promise.allSettled([
  twice(() => createPostgresReader(READER_USER, READER_PASSWORD)),
  twice(() => createMysqlUser(READER_USER, READER_PASSWORD, 'select, show view on $db.*')),
]);

/** A reader URL as separate connection fields, for suites that do not pass a URL. */
function readerSettings(readerUrl: string, defaultPort: number) {
  const url = new URL(readerUrl);
  return {
    host: url.hostname,
    port: Number(url.port || defaultPort),
    user: READER_USER,
    password: READER_PASSWORD,
    database: decodeURIComponent(url.pathname.slice(1)) || 'test',
  };
}

export const postgresReaderSettings = readerSettings(postgresUrl, 5432);
export const mysqlReaderSettings = readerSettings(mysqlUrl, 3306);
