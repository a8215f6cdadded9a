/**
 * Keeps one open DataSource (a connection pool) per metadata connection row, reopened when the
 * row changes. Every instance reads the row at run time, so an edit reaches all instances.
 */
import type { DataSource, PoolStats } from '../datasources/driver.ts';
import type { ConnectionRow } from '../store/tables.ts';

interface Entry {
  version: string;
  source: DataSource;
  /** The connection's name, for gauges; kept current on every lookup. */
  name: string;
}

export function dataSourceCache(open: (row: ConnectionRow) => DataSource) {
  const entries = new Map<number, Entry>();
  return {
    get(row: ConnectionRow): DataSource {
      const version = `${row.updated_at}|${row.statement_timeout_ms}|${row.pool_size}`;
      const entry = entries.get(row.id);
      if (entry && entry.version === version) {
        entry.name = row.name;
        return entry.source;
      }
      if (entry) void entry.source.close().catch(() => {});
      const source = open(row);
      entries.set(row.id, { version, source, name: row.name });
      return source;
    },
    /** One line per open pool (connections not used since start have none), for the metrics. */
    poolStats(): Array<{ connection: string } & PoolStats> {
      return [...entries.values()].map((entry) => ({ connection: entry.name, ...entry.source.poolStats() }));
    },
    async forget(connectionId: number): Promise<void> {
      const entry = entries.get(connectionId);
      entries.delete(connectionId);
      await entry?.source.close();
    },
    async closeAll(): Promise<void> {
      const all = [...entries.values()];
      entries.clear();
      await Promise.allSettled(all.map((entry) => entry.source.close()));
    },
  };
}

export type DataSourceCache = ReturnType<typeof dataSourceCache>;
