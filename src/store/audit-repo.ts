import type { Kysely } from 'kysely';
import type { Database, NewAuditRow } from './tables.ts';

/** Filters of an audit search; times are ISO-8601 UTC, `from` inclusive and `to` exclusive. */
export interface AuditFilter {
  principal?: string;
  report?: string;
  action?: string;
  from?: string;
  to?: string;
  limit: number;
}

export function auditRepo(db: Kysely<Database>) {
  return {
    async insert(row: Omit<NewAuditRow, 'id'>): Promise<void> {
      await db.insertInto('audit').values(row).execute();
    },
    list(limit: number) {
      return db.selectFrom('audit').selectAll().orderBy('id', 'desc').limit(limit).execute();
    },
    /** Newest first; every filter given must match. */
    search(filter: AuditFilter) {
      return db
        .selectFrom('audit')
        .selectAll()
        .$if(filter.principal !== undefined, (q) => q.where('principal', '=', filter.principal ?? ''))
        .$if(filter.report !== undefined, (q) => q.where('report', '=', filter.report ?? ''))
        .$if(filter.action !== undefined, (q) => q.where('action', '=', filter.action ?? ''))
        .$if(filter.from !== undefined, (q) => q.where('at', '>=', filter.from ?? ''))
        .$if(filter.to !== undefined, (q) => q.where('at', '<', filter.to ?? ''))
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit)
        .execute();
    },
    async deleteOlderThan(iso: string): Promise<number> {
      const result = await db.deleteFrom('audit').where('at', '<', iso).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
