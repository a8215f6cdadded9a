/**
 * Schedules (SPEC §3): a report with parameter values, a timetable in a time zone, the owner and
 * deliveries. Whoever may run a report may schedule it; owners see and change their own, admins
 * all. Runs happen as the owner at run time (see schedule-runs.ts).
 */
import { AppError, badRequest, forbidden, notFound } from '../errors.ts';
import type { Principal } from '../policies/principal.ts';
import { findBindNames } from '../sql/bind-parameters.ts';
import { type ScheduleRepo, type ScheduleWithReport, scheduleRepo } from '../store/schedule-repo.ts';
import type { ScheduleRunRow } from '../store/tables.ts';
import { inTransaction, type StoreHandle } from '../store/transactions.ts';
import { validateTarget } from './api-target.ts';
import { headersOnSave, presentHeaders, type StoredApiTarget, sealedTarget } from './api-target-headers.ts';
import type { AuditService } from './audit.ts';
import { coerceParameters } from './parameters.ts';
import type { ReportDefinition } from './report-model.ts';
import type { ReportRunner } from './report-runner.ts';
import type { RequestContext } from './request-context.ts';
import {
  checkCron,
  checkRecipients,
  checkTimeZone,
  type Deliveries,
  nextRunOf,
  type ScheduleChanges,
  type ScheduleInput,
} from './schedule-input.ts';
import type { ScheduleRuns } from './schedule-runs.ts';
import type { SecretBox } from './server-key.ts';

/** Deliveries as stored: the API target's header values and secret sealed with the server key. */
export interface StoredDeliveries {
  email?: Deliveries['email'];
  api?: StoredApiTarget;
}

interface Deps {
  /** The store: a change and its audit record commit in one transaction. */
  db: StoreHandle;
  schedules: ScheduleRepo;
  runs: ScheduleRuns;
  runner: Pick<ReportRunner, 'authorized' | 'choices'>;
  audit: AuditService;
  box: SecretBox;
  allowPrivateTargets: boolean;
  mailDomains: readonly string[];
  /** True on PostgreSQL, whose job engine keeps minute-granular timetables only. */
  minuteOnly: boolean;
  /**
   * Told after every change so the job engine picks it up at once; awaited, so when a write
   * answers, this instance's timers already match it (a deleted schedule is disarmed here).
   */
  onChange?: () => Promise<void> | undefined;
  now?: () => Date;
}

interface Owner {
  kind: 'user' | 'token';
  name: string;
  email: string | null;
}

function ownerOf(principal: Principal): Owner {
  if (principal.kind === 'internal') throw forbidden('The server itself cannot own a schedule');
  return { kind: principal.kind, name: principal.email ?? principal.name, email: principal.email };
}

const ownsOrAdmin = (principal: Principal, row: ScheduleWithReport) =>
  principal.isAdmin ||
  (row.owner_kind === principal.kind && row.owner_email === (principal.email ?? principal.name));

export function presentSchedule(row: ScheduleWithReport) {
  const deliveries = JSON.parse(row.deliveries_json) as StoredDeliveries;
  const api = deliveries.api;
  return {
    id: row.id,
    name: row.name,
    report: row.report_slug,
    report_id: row.report_id,
    owner: row.owner_email,
    owner_kind: row.owner_kind,
    cron: row.cron,
    timezone: row.timezone,
    params: JSON.parse(row.params_json) as Record<string, unknown>,
    deliveries: {
      email: deliveries.email ?? null,
      // Header values and the signing secret are never returned: names with `has_value`, and
      // `has_secret`, say what is set.
      api: api
        ? { url: api.url, headers: presentHeaders(api), has_secret: Boolean(api.secret_sealed) }
        : null,
    },
    active: row.active === 1,
    paused_reason: row.paused_reason,
    last_run_at: row.last_run_at,
    next_run_at: row.next_run_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function presentRun(row: ScheduleRunRow) {
  return {
    id: row.id,
    tick_at: row.tick_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
    outcome: row.outcome,
    rows: row.rows,
    error: row.error,
    deliveries: JSON.parse(row.deliveries_json) as unknown[],
  };
}

export type ScheduleRecord = ReturnType<typeof presentSchedule>;

export function scheduleService(deps: Deps) {
  const { schedules, runner, audit, box } = deps;
  const now = deps.now ?? (() => new Date());
  const changed = async () => {
    await deps.onChange?.();
  };

  async function reportFor(ctx: RequestContext, ref: string | number): Promise<ReportDefinition> {
    const report = await runner.authorized(ctx, String(ref));
    if (report.id === 0) throw badRequest('report: built-in reports cannot be scheduled');
    return report;
  }

  /** Values are checked as a run would check them, so a schedule cannot be saved to fail. */
  async function checkParams(report: ReportDefinition, params: Record<string, unknown>, ctx: RequestContext) {
    const bodies = report.type === 'panel' ? report.sections.map((s) => s.sql) : [report.sql];
    await coerceParameters(
      report.fields,
      params,
      bodies.flatMap((body) => findBindNames(body)),
      async (field) =>
        field.choices
          ? field.choices.map((c) => ({ value: c.value, label: c.label ?? String(c.value) }))
          : runner.choices(ctx, field.id),
    );
  }

  async function sealDeliveries(
    input: Deliveries,
    owner: Owner,
    previous: StoredDeliveries | null,
  ): Promise<StoredDeliveries> {
    const stored: StoredDeliveries = {};
    if (input.email) {
      checkRecipients(input.email.to, owner.email, deps.mailDomains);
      stored.email = input.email;
    }
    if (input.api) {
      await validateTarget(input.api.url, deps.allowPrivateTargets);
      const { secret } = input.api;
      const kept = secret === undefined ? (previous?.api?.secret_sealed ?? null) : null;
      stored.api = {
        url: input.api.url,
        ...headersOnSave(input.api.headers, input.api.url, previous?.api, box),
        secret_sealed: secret ? box.seal(secret) : kept,
      };
    }
    return stored;
  }

  async function visible(id: number, principal: Principal): Promise<ScheduleWithReport> {
    const row = await schedules.findWithReport(id);
    if (!row || !ownsOrAdmin(principal, row)) throw notFound(`No schedule with the id ${id}`);
    return row;
  }

  async function get(ctx: RequestContext, id: number): Promise<ScheduleRecord> {
    return presentSchedule(await visible(id, ctx.principal));
  }

  /** Runs a write and its audit record in one transaction, then tells the job engine. */
  async function change<T>(work: (rows: ScheduleRepo, trail: AuditService) => Promise<T>): Promise<T> {
    const done = await inTransaction(deps.db, (trx) => work(scheduleRepo(trx), audit.on(trx)));
    await changed();
    return done;
  }

  return {
    async list(ctx: RequestContext): Promise<ScheduleRecord[]> {
      const { principal } = ctx;
      const rows = principal.isAdmin ? await schedules.list() : await schedules.list(ownerOf(principal));
      return rows.map(presentSchedule);
    },

    get,

    async create(ctx: RequestContext, input: ScheduleInput): Promise<ScheduleRecord> {
      const { principal } = ctx;
      const owner = ownerOf(principal);
      const report = await reportFor(ctx, input.report);
      const timezone = checkTimeZone(input.timezone);
      const cron = checkCron(input.cron, timezone, deps.minuteOnly);
      await checkParams(report, input.params, ctx);
      const deliveries = await sealDeliveries(input.deliveries, owner, null);
      const at = now().toISOString();
      const id = await change(async (rows, trail) => {
        const row = await rows.insert({
          report_id: report.id,
          owner_kind: owner.kind,
          owner_email: owner.name,
          name: input.name ?? report.name,
          cron,
          timezone,
          params_json: JSON.stringify(input.params),
          deliveries_json: JSON.stringify(deliveries),
          active: input.active ? 1 : 0,
          paused_reason: null,
          next_run_at: input.active ? nextRunOf(cron, timezone) : null,
          created_at: at,
          updated_at: at,
        });
        await trail.adminChange(ctx, 'schedule.create', { id: row.id, report: report.slug, cron, timezone });
        return row.id;
      });
      return get(ctx, id);
    },

    /** Changes what is given; re-checks everything as the caller, who must be able to run the report. */
    async update(ctx: RequestContext, id: number, changes: ScheduleChanges): Promise<ScheduleRecord> {
      const { principal } = ctx;
      const row = await visible(id, principal);
      const owner: Owner = {
        kind: row.owner_kind as Owner['kind'],
        name: row.owner_email,
        email: row.owner_kind === 'user' ? row.owner_email : null,
      };
      const report = await reportFor(ctx, changes.report ?? row.report_id);
      const timezone = checkTimeZone(changes.timezone ?? row.timezone);
      const cron = checkCron(changes.cron ?? row.cron, timezone, deps.minuteOnly);
      const params = changes.params ?? (JSON.parse(row.params_json) as Record<string, unknown>);
      await checkParams(report, params, ctx);
      const previous = JSON.parse(row.deliveries_json) as StoredDeliveries;
      const deliveries = changes.deliveries
        ? await sealDeliveries(changes.deliveries, owner, previous)
        : previous;
      const active = changes.active ?? row.active === 1;
      await change(async (rows, trail) => {
        await rows.update(id, {
          report_id: report.id,
          name: changes.name ?? row.name,
          cron,
          timezone,
          params_json: JSON.stringify(params),
          deliveries_json: JSON.stringify(deliveries),
          active: active ? 1 : 0,
          // Switching a schedule back on clears why it stopped.
          paused_reason: active ? null : row.paused_reason,
          next_run_at: active ? nextRunOf(cron, timezone) : null,
          updated_at: now().toISOString(),
        });
        await trail.adminChange(ctx, 'schedule.update', { id, changes: Object.keys(changes) });
      });
      return get(ctx, id);
    },

    async delete(ctx: RequestContext, id: number): Promise<void> {
      await visible(id, ctx.principal);
      await change(async (rows, trail) => {
        await rows.delete(id);
        await trail.adminChange(ctx, 'schedule.delete', { id });
      });
    },

    async runs(ctx: RequestContext, id: number) {
      await visible(id, ctx.principal);
      return (await schedules.runs(id)).map(presentRun);
    },

    /** Runs the schedule now, as its owner, and returns the run's record. */
    async runNow(ctx: RequestContext, id: number) {
      await visible(id, ctx.principal);
      const runId = await deps.runs.runTick(id, now(), { manual: true });
      if (runId === null) throw new AppError('conflict', 'The schedule is already running this moment');
      const run = await schedules.findRun(runId);
      if (!run) throw notFound(`No run with the id ${runId}`);
      await changed();
      return presentRun(run);
    },

    /**
     * Seals the header values of schedules saved before they were sealed; run at start. Each row
     * is replaced only if unchanged since read, so an edit on another instance is never undone.
     */
    async sealPlaintextHeaders(): Promise<number> {
      let sealed = 0;
      for (const row of await schedules.list()) {
        const deliveries = JSON.parse(row.deliveries_json) as StoredDeliveries;
        const api = deliveries.api && sealedTarget(deliveries.api, box);
        if (!api) continue;
        const next = JSON.stringify({ ...deliveries, api });
        if (await schedules.replaceDeliveries(row.id, row.deliveries_json, next)) sealed++;
      }
      return sealed;
    },

    runTick: deps.runs.runTick,
    /** Active schedules, for the job engine. */
    active: () => schedules.listActive(),
  };
}

export type ScheduleService = ReturnType<typeof scheduleService>;
