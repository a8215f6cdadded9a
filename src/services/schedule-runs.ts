/**
 * One scheduled run (SPEC §3): claim the tick, become the owner as they are now, run the report
 * through the one run pipeline, deliver, record. The claim is an insert into `schedule_run`,
 * unique on (schedule, tick), so a tick handed out twice — by two instances or a retried job —
 * runs once.
 */
import type { JsonValue } from '../datasources/driver.ts';
import { AppError } from '../errors.ts';
import { type Principal, type RoleSettings, rolesOf } from '../policies/principal.ts';
import type { ScheduleRepo } from '../store/schedule-repo.ts';
import type { ScheduleRow } from '../store/tables.ts';
import type { tokenRepo } from '../store/token-repo.ts';
import type { UserRepo } from '../store/user-repo.ts';
import type { ApiTargetClient } from './api-target.ts';
import { openHeaders } from './api-target-headers.ts';
import { storedRunMessage } from './database-failure.ts';
import { MailNotSent } from './mail-failure.ts';
import type { ReportRunner, RunOutput } from './report-runner.ts';
import { contextFor } from './request-context.ts';
import { nextRunOf } from './schedule-input.ts';
import type { StoredDeliveries } from './schedules.ts';
import type { SecretBox } from './server-key.ts';
import type { UserService } from './users.ts';

/** The slice of the mail service that schedules use (src/services/mailer.ts). */
export interface ScheduleMailer {
  sendRun(input: {
    to: string[];
    subject: string;
    output: RunOutput;
    intro?: string;
    attach?: 'csv' | 'xlsx' | null;
    skipIfEmpty?: boolean;
    retry?: boolean;
  }): Promise<{ sent: boolean; rows: number; messageId?: string; attempts?: number }>;
}

export interface DeliveryRecord {
  kind: 'email' | 'api';
  ok: boolean;
  detail: Record<string, unknown>;
  error: string | null;
}

/** Told how each claimed run ended and how its deliveries went (metrics). */
export interface ScheduleObserver {
  runFinished(outcome: string, deliveries: readonly DeliveryRecord[]): void;
}

export interface RunDeps {
  schedules: ScheduleRepo;
  runner: Pick<ReportRunner, 'run'>;
  userRows: Pick<UserRepo, 'findByEmail'>;
  users: Pick<UserService, 'principalOf'>;
  tokens: Pick<ReturnType<typeof tokenRepo>, 'findByName'>;
  roles: RoleSettings;
  box: SecretBox;
  apiTarget: ApiTargetClient;
  mailer?: ScheduleMailer | null | undefined;
  now?: () => Date;
  observer?: ScheduleObserver;
}

/** Why a schedule stops itself; shown as `paused_reason`. */
export const PAUSE_REASONS = {
  ownerDeleted: 'owner deleted',
  ownerExpired: 'owner token expired',
  noAccess: 'owner has no access to the report',
  reportMissing: 'report not found',
} as const;

class Paused extends Error {}

/** Rows gathered once, so every delivery can read the same output. */
async function materialize(output: RunOutput) {
  if (output.kind === 'sections') {
    const records = output.sections.map((section) => ({
      title: section.title,
      records: section.rows.map((row) => toRecord(section.columns, row)),
    }));
    return { output, rows: output.sections.reduce((n, s) => n + s.rows.length, 0), records };
  }
  const rows: JsonValue[][] = [];
  for await (const batch of output.rows) rows.push(...batch);
  const replay: AsyncIterable<JsonValue[][]> = {
    async *[Symbol.asyncIterator]() {
      if (rows.length > 0) yield rows;
    },
  };
  const records = rows.map((row) => toRecord(output.columns, row));
  return { output: { ...output, rows: replay }, rows: rows.length, records };
}

function toRecord(columns: Array<{ name: string }>, row: JsonValue[]) {
  const record: Record<string, JsonValue> = {};
  columns.forEach((column, i) => {
    record[column.name] = row[i] ?? null;
  });
  return record;
}

export function scheduleRuns(deps: RunDeps) {
  const now = deps.now ?? (() => new Date());

  /** The owner's principal as of now: current groups for a user, the token's groups for a token. */
  async function ownerPrincipal(schedule: ScheduleRow): Promise<Principal> {
    if (schedule.owner_kind === 'token') {
      const token = await deps.tokens.findByName(schedule.owner_email);
      if (!token) throw new Paused(PAUSE_REASONS.ownerDeleted);
      if (Date.parse(token.expires_at) <= now().getTime()) throw new Paused(PAUSE_REASONS.ownerExpired);
      const groups = JSON.parse(token.groups_json) as string[];
      return { kind: 'token', name: token.name, email: null, groups, ...rolesOf(groups, null, deps.roles) };
    }
    const user = await deps.userRows.findByEmail(schedule.owner_email);
    if (!user) throw new Paused(PAUSE_REASONS.ownerDeleted);
    return deps.users.principalOf(user);
  }

  async function deliver(
    schedule: ScheduleRow,
    gathered: Awaited<ReturnType<typeof materialize>>,
  ): Promise<DeliveryRecord[]> {
    const deliveries = JSON.parse(schedule.deliveries_json) as StoredDeliveries;
    const results: DeliveryRecord[] = [];
    if (deliveries.email) {
      results.push(await deliverEmail(schedule, deliveries.email, gathered.output));
    }
    if (deliveries.api) {
      const { url, secret_sealed } = deliveries.api;
      const headers = openHeaders(deliveries.api, deps.box);
      const secret = secret_sealed ? deps.box.open(secret_sealed) : null;
      const envelope = { message: '', ok: true, records: gathered.records };
      const result = await deps.apiTarget.deliver({ url, headers, secret }, envelope);
      results.push({
        kind: 'api',
        ok: result.ok,
        detail: { url, attempts: result.attempts, status: result.status },
        error: result.error,
      });
    }
    return results;
  }

  async function deliverEmail(
    schedule: ScheduleRow,
    email: NonNullable<StoredDeliveries['email']>,
    output: RunOutput,
  ): Promise<DeliveryRecord> {
    if (!deps.mailer) {
      return { kind: 'email', ok: false, detail: { to: email.to }, error: 'mail is not configured' };
    }
    try {
      const sent = await deps.mailer.sendRun({
        to: email.to,
        subject: `${schedule.name} (${output.report.name})`,
        output,
        intro: `Scheduled run of "${output.report.name}".`,
        attach: email.attach ?? null,
        skipIfEmpty: email.skipIfEmpty ?? false,
        retry: true,
      });
      return { kind: 'email', ok: true, detail: { to: email.to, ...sent }, error: null };
    } catch (error) {
      // The owner sees why: "connection refused (mail server host:port)", not a generic 502.
      if (error instanceof MailNotSent) {
        const detail = { to: email.to, attempts: error.attempts };
        return { kind: 'email', ok: false, detail, error: error.failure.reason };
      }
      return { kind: 'email', ok: false, detail: { to: email.to }, error: (error as Error).message };
    }
  }

  async function pause(schedule: ScheduleRow, reason: string) {
    await deps.schedules.update(schedule.id, {
      active: 0,
      paused_reason: reason,
      next_run_at: null,
      updated_at: now().toISOString(),
    });
  }

  /** Why the run cannot go on, as a pause reason; null when it is an ordinary failure. */
  function pauseReasonOf(error: unknown): string | null {
    if (error instanceof Paused) return error.message;
    if (error instanceof AppError && error.code === 'forbidden') return PAUSE_REASONS.noAccess;
    if (error instanceof AppError && error.code === 'not_found') return PAUSE_REASONS.reportMissing;
    return null;
  }

  return {
    /**
     * Runs one tick of a schedule. Returns the run's id, or null when the schedule is gone or
     * paused, or the tick was already claimed (by another instance).
     */
    async runTick(scheduleId: number, tickAt: Date | string, options: { manual?: boolean } = {}) {
      const schedule = await deps.schedules.find(scheduleId);
      if (!schedule || (!schedule.active && !options.manual)) return null;
      const tick = typeof tickAt === 'string' ? new Date(tickAt).toISOString() : tickAt.toISOString();
      const started = now().toISOString();
      const claim = await deps.schedules.claimTick({
        schedule_id: scheduleId,
        tick_at: tick,
        started_at: started,
        outcome: 'running',
      });
      if (!claim) return null;
      let outcome = 'ok';
      let rows: number | null = null;
      let error: string | null = null;
      let deliveries: DeliveryRecord[] = [];
      try {
        const principal = await ownerPrincipal(schedule);
        const params = JSON.parse(schedule.params_json) as Record<string, unknown>;
        const output = await deps.runner.run(contextFor(principal), String(schedule.report_id), params);
        const gathered = await materialize(output);
        rows = gathered.rows;
        deliveries = await deliver(schedule, gathered);
        if (deliveries.some((d) => !d.ok)) outcome = 'delivery_failed';
      } catch (failure) {
        const reason = pauseReasonOf(failure);
        error = reason ?? storedRunMessage(failure);
        outcome = reason ? 'paused' : 'error';
        if (reason) await pause(schedule, reason);
      }
      const finished = now().toISOString();
      await deps.schedules.finishRun(claim.id, {
        finished_at: finished,
        outcome,
        rows,
        error,
        deliveries_json: JSON.stringify(deliveries),
      });
      deps.observer?.runFinished(outcome, deliveries);
      const fresh = await deps.schedules.find(schedule.id);
      await deps.schedules.update(schedule.id, {
        last_run_at: started,
        next_run_at: fresh?.active ? nextRunOf(fresh.cron, fresh.timezone, now()) : null,
      });
      return claim.id;
    },
  };
}

export type ScheduleRuns = ReturnType<typeof scheduleRuns>;
