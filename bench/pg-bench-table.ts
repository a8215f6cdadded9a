/**
 * The stored PostgreSQL table the streaming scenarios read, in a database of the benchmark's own
 * (`sr_bench`), created once and kept between runs: 1,000,000 rows × 5 columns (integer, text,
 * numeric, timestamp, boolean). The server reads it as a least-privilege role, since a
 * superuser report connection would be refused.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const BENCH_DATABASE = 'sr_bench';
export const BENCH_TABLE = 'bench_rows';
export const READER = 'sr_bench_reader';
const TABLE_ROWS = 1_000_000;
/** psql as the shared server's superuser; `-X` skips any ~/.psqlrc that would change output. */
export const PSQL_ARGS = ['-h', '127.0.0.1', '-U', 'postgres', '-X', '-q', '-v', 'ON_ERROR_STOP=1'];

async function psql(database: string, sql: string): Promise<string> {
  const { stdout } = await execFileAsync('psql', [...PSQL_ARGS, '-d', database, '-tAc', sql], {
    timeout: 300_000,
  });
  return stdout.trim();
}

/** False when psql or the server is missing, so the streaming part can be skipped with a note. */
export async function postgresAvailable(): Promise<boolean> {
  try {
    return (await psql('test', 'select 1')) === '1';
  } catch {
    return false;
  }
}

const FILL = `insert into ${BENCH_TABLE}
  select g, 'customer ' || g, (g % 100000) / 100.0, timestamp '2024-01-01' + g * interval '1 second', g % 2 = 0
  from generate_series(1, ${TABLE_ROWS}) g`;

/** Creates the database, role and table when missing, and refills the table if it is not whole. */
export async function ensureBenchTable(): Promise<void> {
  const exists = await psql('test', `select 1 from pg_database where datname = '${BENCH_DATABASE}'`);
  if (exists !== '1') await psql('test', `create database ${BENCH_DATABASE}`);
  await psql(
    'test',
    `do $$ begin create role ${READER} login; exception when duplicate_object then null; end $$`,
  );
  await psql(
    BENCH_DATABASE,
    `create table if not exists ${BENCH_TABLE} (id integer primary key, name text not null,
      amount numeric(12, 2) not null, created timestamp not null, flag boolean not null)`,
  );
  const count = Number(await psql(BENCH_DATABASE, `select count(*) from ${BENCH_TABLE}`));
  if (count !== TABLE_ROWS) {
    process.stderr.write(`filling ${BENCH_DATABASE}.${BENCH_TABLE} with ${TABLE_ROWS} rows (once)…\n`);
    await psql(BENCH_DATABASE, `truncate ${BENCH_TABLE}`);
    await psql(BENCH_DATABASE, FILL);
    await psql(BENCH_DATABASE, `vacuum analyze ${BENCH_TABLE}`);
  }
  await psql(BENCH_DATABASE, `grant select on ${BENCH_TABLE} to ${READER}`);
}

/** The statement both sides run: the first `rows` rows of the stored table. */
export function streamQuery(rows: number): string {
  return `select id, name, amount, created, flag from ${BENCH_TABLE} where id <= ${rows}`;
}
