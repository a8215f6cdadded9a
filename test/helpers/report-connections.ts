/**
 * One connection (and its cluster of the same name) per real database — PostgreSQL, MariaDB and
 * a fresh SQLite file — created through the admin API of a test app, for suites that save and
 * run reports on each. A server that does not answer is left out with a notice (a failure under
 * CI, see skip-or-fail.ts).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DriverName } from '../../src/datasources/driver.ts';
import { mysqlUrl, postgresUrl } from './databases.ts';
import { unavailable } from './skip-or-fail.ts';
import type { TestApp } from './test-app.ts';

export interface ReportConnection {
  dialect: DriverName;
  /** The cluster a report names to run on this database. */
  cluster: string;
}

async function answers(dialect: DriverName): Promise<boolean> {
  try {
    if (dialect === 'postgres') {
      const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
      await client.connect();
      await client.end();
    } else if (dialect === 'mysql') {
      const connection = await mysql.createConnection({ uri: mysqlUrl, connectTimeout: 3000 });
      await connection.end();
    }
    return true;
  } catch (error) {
    unavailable(`${dialect} not reachable (${(error as Error).message})`);
    return false;
  }
}

/** Creates the connections whose servers answer; `prefix` keeps names apart between suites. */
export async function reportConnections(t: TestApp, prefix: string): Promise<ReportConnection[]> {
  const file = path.join(t.dataDir, `${prefix}.sqlite`);
  new Database(file).exec('create table if not exists region (id integer, name text)').close();
  const settings: Record<DriverName, object> = {
    postgres: { url: postgresUrl },
    mysql: { url: mysqlUrl },
    sqlite: { file },
  };
  const connections: ReportConnection[] = [];
  for (const dialect of ['postgres', 'mysql', 'sqlite'] as const) {
    if (!(await answers(dialect))) continue;
    const cluster = `${prefix}-${dialect}`;
    const response = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/connections/',
      headers: { authorization: t.adminHeader },
      payload: { name: cluster, driver: dialect, settings: settings[dialect] },
    });
    assert.equal(response.statusCode, 201, response.body);
    connections.push({ dialect, cluster });
  }
  return connections;
}
