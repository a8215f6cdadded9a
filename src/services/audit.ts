/**
 * Audit records. Admin changes are always written; report runs only when the `audit` feature is
 * on. Writes are explicit calls from services, never hidden hooks.
 */
import type { Principal } from '../policies/principal.ts';
import type { auditRepo } from '../store/audit-repo.ts';
import { nowIso } from '../store/clock.ts';

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

interface Deps {
  audits: ReturnType<typeof auditRepo>;
  queryAudit: boolean;
}

export function auditService({ audits, queryAudit }: Deps) {
  return {
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
