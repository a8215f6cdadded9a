/**
 * One scheduled run (SPEC §3): claim the tick, become the owner as they are now, run the report
 * through the one run pipeline, deliver (schedule-deliveries.ts), record. The claim is an insert
 * into `schedule_run`, unique on (schedule, tick), so a tick handed out twice — by two instances
 * or a retried job — runs once.
 */
import { AppError } from '../errors.ts';
import { type Principal, type RoleSettings, rolesOf } from '../policies/principal.ts';
import { type ScheduleRepo, scheduleRepo } from '../store/schedule-repo.ts';
import type { ScheduleRow } from '../store/tables.ts';
import type { tokenRepo } from '../store/token-repo.ts';
import type { StoreHandle } from '../store/transactions.ts';
import type { UserRepo } from '../store/user-repo.ts';
import { storedRunMessage } from './database-failure.ts';
import type { ReportRunner } from './report-runner.ts';
import { contextFor } from './request-context.ts';
import { type DeliveryDeps, type DeliveryRecord, scheduleDeliveries } from './schedule-deliveries.ts';
import { nextRunOf } from './schedule-input.ts';
import type { SecretBox } from './server-key.ts';
import type { UserService } from './users.ts';

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
  apiTarget: DeliveryDeps['apiTarget'];
  /** `API_TARGET_MAX_ROWS`: a larger result fails the API delivery instead of being sent. */
  apiMaxRows: number;
  mailer?: DeliveryDeps['mailer'];
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

/** Pauses the schedules of a deleted owner at once, rather than at their next tick. */
export interface OwnerRemovals {
  /** Pauses them in `trx`, the deletion's own transaction; returns how many. */
  pause(trx: StoreHandle, kind: 'user' | 'token', name: string): Promise<number>;
  /**
   * Tells the job engine, once the deletion has committed, to drop their timers; resolves when
   * this instance's timers match (the re-read logs its own failures and never rejects).
   */
  changed(): Promise<void>;
}

export function ownerRemovals(deps: {
  onChange?: (() => Promise<void> | undefined) | undefined;
  now?: () => Date;
}): OwnerRemovals {
  const now = deps.now ?? (() => new Date());
  return {
    pause(trx, kind, name) {
      const changes = { paused_reason: PAUSE_REASONS.ownerDeleted, updated_at: now().toISOString() };
      return scheduleRepo(trx).pauseOwnedBy({ kind, name }, changes);
    },
    changed: async () => {
      await deps.onChange?.();
    },
  };
}

export function scheduleRuns(deps: RunDeps) {
  const now = deps.now ?? (() => new Date());
  const { deliver } = scheduleDeliveries(deps);

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
        const delivered = await deliver(schedule, output);
        rows = delivered.rows;
        deliveries = delivered.results;
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
