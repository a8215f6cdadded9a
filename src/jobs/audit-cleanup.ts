/**
 * Audit retention (SPEC §9): records older than `CUSTOM_REPORT_AUDIT_AGE_DAYS` are deleted once at
 * start and then hourly. The job is in-process; on PostgreSQL several instances may run it at
 * once, which is harmless since the delete is idempotent.
 */
import { Cron } from 'croner';
import type { auditRepo } from '../store/audit-repo.ts';

const DAY_MS = 86_400_000;

type AuditRepo = Pick<ReturnType<typeof auditRepo>, 'deleteOlderThan'>;

/** Deletes audit records older than `ageDays` before `now`; returns how many went. */
export async function cleanUpAudit(audits: AuditRepo, ageDays: number, now: Date = new Date()) {
  const cutoff = new Date(now.getTime() - ageDays * DAY_MS).toISOString();
  return audits.deleteOlderThan(cutoff);
}

export interface JobLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface AuditCleanupJob {
  /** Resolves when the cleanup run at start has finished (successfully or not). */
  firstRun: Promise<void>;
  stop(): void;
}

/** Runs the cleanup at start and at the top of every hour; a failure is logged, never fatal. */
export function startAuditCleanup(
  audits: AuditRepo,
  ageDays: number,
  log: JobLogger,
  pattern = '0 * * * *',
): AuditCleanupJob {
  const runOnce = async () => {
    try {
      const deleted = await cleanUpAudit(audits, ageDays);
      if (deleted > 0) log.info({ deleted, ageDays }, 'old audit records deleted');
    } catch (error) {
      log.error({ err: error }, 'audit cleanup failed; it runs again on the next hour');
    }
  };
  // `protect` skips a tick while the previous run is still going; `unref` lets the process exit.
  const job = new Cron(pattern, { protect: true, unref: true }, runOnce);
  return { firstRun: runOnce(), stop: () => job.stop() };
}
