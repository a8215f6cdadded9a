/**
 * Audit records. Admin changes are always written; report runs only when the `audit` feature is
 * on. Writes are explicit calls from services, never hidden hooks.
 */

import type { Selectable } from 'kysely';
import { type AuditFilter, auditRepo } from '../store/audit-repo.ts';
import { nowIso } from '../store/clock.ts';
import type { AuditTable } from '../store/tables.ts';
import type { StoreHandle } from '../store/transactions.ts';
import type { AnonymousContext, RequestContext } from './request-context.ts';
import { requireAdmin } from './role-guard.ts';
import { recordTime } from './time-format.ts';

/** What an audit record needs of a request context. */
export type AuditContext = AnonymousContext & Pick<RequestContext, 'principal'>;

export interface RunAudit {
  report: string;
  connections: string[];
  sql: string;
  params: Record<string, unknown>;
  rowCount: number | null;
  durationMs: number;
  outcome: 'ok' | 'error';
  error?: string;
}

/** Parameters may hold bigints, which JSON.stringify refuses. */
const toJson = (value: unknown) =>
  JSON.stringify(value, (_key, item) => (typeof item === 'bigint' ? item.toString() : item));

/** An audit record as admins read it (API and the `admin-audit` report). */
export interface AuditRecord {
  at: string;
  principal: string;
  action: string;
  report: string | null;
  connections: string | null;
  sql: string | null;
  params: unknown;
  row_count: number | null;
  duration_ms: number | null;
  outcome: string;
  error: string | null;
  client: string | null;
  /** The request's `X-Request-Id`, so a record can be matched with the request's log lines. */
  request_id: string | null;
}

function parseParams(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toRecord(row: Selectable<AuditTable>): AuditRecord {
  return {
    at: recordTime(row.at),
    principal: row.principal,
    action: row.action,
    report: row.report,
    connections: row.connections,
    sql: row.sql_text,
    params: parseParams(row.params_json),
    row_count: row.row_count === null ? null : Number(row.row_count),
    duration_ms: row.duration_ms === null ? null : Number(row.duration_ms),
    outcome: row.outcome,
    error: row.error,
    client: row.client,
    request_id: row.request_id,
  };
}

interface Deps {
  /** Where records are written: the store, or the transaction of the change they describe. */
  db: StoreHandle;
  queryAudit: boolean;
}

/** Audit reads and writes on one handle. */
export interface AuditService {
  /** Audit records, newest first: admins only. */
  search(ctx: Pick<RequestContext, 'principal'>, filter: AuditFilter): Promise<AuditRecord[]>;
  adminChange(
    ctx: AuditContext,
    action: string,
    details: Record<string, unknown>,
    about?: { report?: string },
  ): Promise<void>;
  /** Written only when the `audit` feature is on. */
  reportRun(ctx: AuditContext, run: RunAudit): Promise<void>;
  /** The same service writing in `trx`, so a change's record commits or rolls back with it. */
  on(trx: StoreHandle): AuditService;
}

export function auditService({ db, queryAudit }: Deps): AuditService {
  const audits = auditRepo(db);
  return {
    async search(ctx, filter) {
      requireAdmin(ctx);
      return (await audits.search(filter)).map(toRecord);
    },
    async adminChange(ctx, action, details, about = {}) {
      await audits.insert({
        at: nowIso(),
        principal: ctx.principal.name,
        action,
        report: about.report ?? null,
        params_json: toJson(details),
        outcome: 'ok',
        client: ctx.client,
        request_id: ctx.requestId,
      });
    },
    async reportRun(ctx, run) {
      if (!queryAudit) return;
      await audits.insert({
        at: nowIso(),
        principal: ctx.principal.name,
        action: 'report.run',
        report: run.report,
        connections: run.connections.join(','),
        sql_text: run.sql,
        params_json: toJson(run.params),
        row_count: run.rowCount,
        duration_ms: Math.round(run.durationMs),
        outcome: run.outcome,
        error: run.error ?? null,
        client: ctx.client,
        request_id: ctx.requestId,
      });
    },
    on: (trx) => auditService({ db: trx, queryAudit }),
  };
}
