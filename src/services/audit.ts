/**
 * Audit records. Admin changes are always written; report runs only when the `audit` feature is
 * on. Writes are explicit calls from services, never hidden hooks.
 */

import type { Selectable } from 'kysely';
import type { Principal } from '../policies/principal.ts';
import type { AuditFilter, auditRepo } from '../store/audit-repo.ts';
import { nowIso } from '../store/clock.ts';
import type { AuditTable } from '../store/tables.ts';
import { recordTime } from './time-format.ts';

export interface RunAudit {
  report: string;
  connections: string[];
  sql: string;
  params: Record<string, unknown>;
  rowCount: number | null;
  durationMs: number;
  outcome: 'ok' | 'error';
  error?: string;
  client?: string | null;
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
  };
}

interface Deps {
  audits: ReturnType<typeof auditRepo>;
  queryAudit: boolean;
}

export function auditService({ audits, queryAudit }: Deps) {
  return {
    /** Audit records, newest first. Callers check that the reader is an admin. */
    async search(filter: AuditFilter): Promise<AuditRecord[]> {
      return (await audits.search(filter)).map(toRecord);
    },
    async adminChange(
      actor: Principal,
      action: string,
      details: Record<string, unknown>,
      client?: string | null,
    ) {
      await audits.insert({
        at: nowIso(),
        principal: actor.name,
        action,
        params_json: toJson(details),
        outcome: 'ok',
        client: client ?? null,
      });
    },
    async reportRun(actor: Principal, run: RunAudit) {
      if (!queryAudit) return;
      await audits.insert({
        at: nowIso(),
        principal: actor.name,
        action: 'report.run',
        report: run.report,
        connections: run.connections.join(','),
        sql_text: run.sql,
        params_json: toJson(run.params),
        row_count: run.rowCount,
        duration_ms: Math.round(run.durationMs),
        outcome: run.outcome,
        error: run.error ?? null,
        client: run.client ?? null,
      });
    },
  };
}

export type AuditService = ReturnType<typeof auditService>;
