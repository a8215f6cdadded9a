/**
 * The job engines behind schedules (SPEC §10). On SQLite there is one instance, so croner fires
 * each active schedule in-process. On PostgreSQL pg-boss keeps the timetable in the shared
 * database and hands each tick to one worker among all instances; the unique `schedule_run` row
 * (see schedule-runs.ts) is the second guard, so a tick that is handed out twice runs once.
 * Both engines re-read the schedules when told of a change and every `resyncMs`, since another
 * instance may have changed them.
 */
import { Cron } from 'croner';
import PgBoss from 'pg-boss';
import type { StoreDialect } from '../store/migrations/migration-set.ts';
import type { ScheduleRow } from '../store/tables.ts';
import type { JobLogger } from './audit-cleanup.ts';

export interface SchedulerDeps {
  dialect: StoreDialect;
  databaseUrl: string;
  schedules: {
    active(): Promise<ScheduleRow[]>;
    runTick(id: number, tickAt: Date): Promise<number | null>;
  };
  log: JobLogger;
  resyncMs?: number;
}

export interface Scheduler {
  /** Re-reads the active schedules and arms, re-arms or drops their jobs. */
  sync(): Promise<void>;
  /** Waits for running ticks, then stops firing. */
  stop(): Promise<void>;
  /** The pg-boss instance on PostgreSQL (for tests and diagnostics), else null. */
  boss: PgBoss | null;
}

const keyOf = (row: ScheduleRow) => `${row.cron}|${row.timezone}`;

/** The scheduled slot a tick belongs to: the latest time the timetable fired at or before `at`. */
export function slotOf(row: Pick<ScheduleRow, 'cron' | 'timezone'>, at: Date): Date {
  const cron = new Cron(row.cron, { paused: true, timezone: row.timezone });
  const slot = cron.previousRuns(1, new Date(at.getTime() + 1))[0];
  cron.stop();
  return slot ?? new Date(Math.floor(at.getTime() / 1000) * 1000);
}

/** Keeps in-flight ticks so a stop can wait for them. */
function tracker(log: JobLogger, run: (id: number, tickAt: Date) => Promise<number | null>) {
  const running = new Set<Promise<unknown>>();
  return {
    fire(id: number, tickAt: Date) {
      const work = run(id, tickAt).catch((error: unknown) => {
        log.error({ err: error, scheduleId: id }, 'scheduled run failed');
      });
      running.add(work);
      void work.finally(() => running.delete(work));
      return work;
    },
    settle: () => Promise.allSettled([...running]),
  };
}

function inProcessScheduler({ schedules, log }: SchedulerDeps): Scheduler {
  const jobs = new Map<number, { key: string; cron: Cron }>();
  const ticks = tracker(log, schedules.runTick);
  let stopped = false;
  return {
    boss: null,
    async sync() {
      if (stopped) return;
      const rows = await schedules.active();
      const wanted = new Set(rows.map((row) => row.id));
      for (const [id, job] of jobs) {
        if (!wanted.has(id)) {
          job.cron.stop();
          jobs.delete(id);
        }
      }
      for (const row of rows) {
        const existing = jobs.get(row.id);
        if (existing?.key === keyOf(row)) continue;
        existing?.cron.stop();
        const cron = new Cron(row.cron, { timezone: row.timezone, protect: true, unref: true }, () => {
          void ticks.fire(row.id, slotOf(row, new Date()));
        });
        jobs.set(row.id, { key: keyOf(row), cron });
      }
    },
    async stop() {
      stopped = true;
      for (const job of jobs.values()) job.cron.stop();
      jobs.clear();
      await ticks.settle();
    },
  };
}

const queueOf = (id: number) => `schedule-${id}`;
const QUEUE_PREFIX = 'schedule-';

async function pgBossScheduler({ databaseUrl, schedules, log }: SchedulerDeps): Promise<Scheduler> {
  const boss = new PgBoss({ connectionString: databaseUrl, application_name: 'secure-reporter', max: 4 });
  boss.on('error', (error: unknown) => log.error({ err: error }, 'job engine error'));
  await boss.start();
  const ticks = tracker(log, schedules.runTick);
  const working = new Map<string, string>();
  const current = new Map<number, ScheduleRow>();
  let stopped = false;

  async function arm(row: ScheduleRow, registered: { cron: string; timezone?: string } | undefined) {
    const name = queueOf(row.id);
    current.set(row.id, row);
    // Both calls are upserts any instance may make; they are skipped when nothing changed.
    if (registered?.cron !== row.cron || registered.timezone !== row.timezone) {
      await boss.createQueue(name);
      await boss.schedule(name, row.cron, { scheduleId: row.id }, { tz: row.timezone });
    }
    if (working.has(name)) return;
    const worker = await boss.work<{ scheduleId: number }>(
      name,
      { includeMetadata: true, pollingIntervalSeconds: 2 },
      async (jobs) => {
        for (const job of jobs) {
          const timetable = current.get(job.data.scheduleId) ?? row;
          await ticks.fire(job.data.scheduleId, slotOf(timetable, job.createdOn));
        }
      },
    );
    working.set(name, worker);
  }

  return {
    boss,
    async sync() {
      if (stopped) return;
      const rows = await schedules.active();
      const wanted = new Set(rows.map((row) => queueOf(row.id)));
      // pg-boss returns the time zone as `timezone`, which its types do not declare.
      const registered = (await boss.getSchedules()) as Array<PgBoss.Schedule & { timezone?: string }>;
      const byName = new Map(registered.map((entry) => [entry.name, entry]));
      for (const row of rows) await arm(row, byName.get(queueOf(row.id)));
      for (const entry of registered) {
        if (entry.name.startsWith(QUEUE_PREFIX) && !wanted.has(entry.name)) await boss.unschedule(entry.name);
      }
      for (const name of working.keys()) {
        if (!wanted.has(name)) {
          await boss.offWork(name);
          working.delete(name);
          current.delete(Number(name.slice(QUEUE_PREFIX.length)));
        }
      }
    },
    async stop() {
      stopped = true;
      await boss.stop({ graceful: true, wait: true, timeout: 15_000 });
      await ticks.settle();
    },
  };
}

/** Starts the engine for the store's dialect and arms every active schedule. */
export async function startScheduler(deps: SchedulerDeps): Promise<Scheduler> {
  const scheduler = deps.dialect === 'postgres' ? await pgBossScheduler(deps) : inProcessScheduler(deps);
  let syncing: Promise<void> = Promise.resolve();
  // Syncs run one after another, so a burst of changes cannot interleave arm and disarm.
  const sync = () => {
    syncing = syncing
      .then(() => scheduler.sync())
      .catch((error: unknown) => deps.log.error({ err: error }, 'schedule sync failed'));
    return syncing;
  };
  await sync();
  const timer = setInterval(() => void sync(), deps.resyncMs ?? 30_000);
  timer.unref();
  return {
    boss: scheduler.boss,
    sync,
    async stop() {
      clearInterval(timer);
      await syncing;
      await scheduler.stop();
    },
  };
}
