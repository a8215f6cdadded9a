/**
 * The job engines behind schedules (SPEC §10). Every instance keeps a croner timer per active
 * schedule (schedule-timers.ts), so a tick is noticed at its time, not at the next poll.
 *
 * - SQLite (one instance): the timer runs the tick in-process.
 * - PostgreSQL (any number of instances): the timer sends the tick to one pg-boss queue,
 *   `scheduled-run`, as a job whose id is derived from (schedule, tick); every instance sends it,
 *   the job table keeps one. One worker per instance serves the queue for all schedules, so the
 *   tick runs on whichever instance has room. The unique `schedule_run` row (schedule-runs.ts)
 *   is the final guard: a tick handed out twice runs once.
 *
 * pg-boss is loaded only on PostgreSQL, so a SQLite start does not pay for it.
 */
import { createHash } from 'node:crypto';
import type PgBoss from 'pg-boss';
import type { StoreDialect } from '../store/migrations/migration-set.ts';
import type { ScheduleRow } from '../store/tables.ts';
import type { JobLogger } from './audit-cleanup.ts';
import { scheduleTimers, tickTracker } from './schedule-timers.ts';

export interface SchedulerDeps {
  dialect: StoreDialect;
  databaseUrl: string;
  schedules: {
    active(): Promise<ScheduleRow[]>;
    runTick(id: number, tickAt: Date): Promise<number | null>;
  };
  log: JobLogger;
  resyncMs?: number;
  /** Ticks one instance runs at once on PostgreSQL; the rest wait for another instance. */
  concurrency?: number;
}

export interface Scheduler {
  /** Re-reads the active schedules and arms, re-arms or drops their timers. */
  sync(): Promise<void>;
  /** Waits for running ticks, then stops firing. */
  stop(): Promise<void>;
  /** The ids of the schedules armed on this instance. */
  armed(): number[];
  /** The pg-boss instance on PostgreSQL (for tests and diagnostics), else null. */
  boss: PgBoss | null;
}

/** The one queue every schedule's ticks go through on PostgreSQL. */
export const TICK_QUEUE = 'scheduled-run';

/** The job data of one tick. */
export interface TickJob {
  scheduleId: number;
  tickAt: string;
}

/** One job id per (schedule, tick), whichever instance sends it: the job table keeps one. */
export function tickJobId(scheduleId: number, tickAt: Date): string {
  const hex = createHash('sha256').update(`${scheduleId}@${tickAt.toISOString()}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function inProcessScheduler({ schedules, log }: SchedulerDeps): Scheduler {
  const ticks = tickTracker(log, schedules.runTick);
  const timers = scheduleTimers((id, tickAt) => void ticks.fire(id, tickAt));
  let stopped = false;
  return {
    boss: null,
    armed: timers.armed,
    async sync() {
      if (!stopped) timers.arm(await schedules.active());
    },
    async stop() {
      stopped = true;
      timers.stop();
      await ticks.settle();
    },
  };
}

/** Earlier versions kept a queue and a pg-boss timetable per schedule (`schedule-<id>`). */
async function dropPerScheduleQueues(boss: PgBoss) {
  for (const entry of await boss.getSchedules()) {
    if (!/^schedule-\d+$/.test(entry.name)) continue;
    await boss.unschedule(entry.name);
    await boss.deleteQueue(entry.name);
  }
}

async function pgBossScheduler(deps: SchedulerDeps): Promise<Scheduler> {
  const { default: PgBossEngine } = await import('pg-boss');
  // pg-boss's own cron is off: its minute poll made runs 19–49 s late; the timers replace it.
  const boss = new PgBossEngine({
    connectionString: deps.databaseUrl,
    application_name: 'secure-reporter',
    max: 4,
    schedule: false,
  });
  boss.on('error', (error: unknown) => deps.log.error({ err: error }, 'job engine error'));
  await boss.start();
  await boss.createQueue(TICK_QUEUE);
  await dropPerScheduleQueues(boss);
  const ticks = tickTracker(deps.log, deps.schedules.runTick);
  const limit = deps.concurrency ?? 4;
  const worker = await boss.work<TickJob>(
    TICK_QUEUE,
    { pollingIntervalSeconds: 1, batchSize: 1 },
    async ([job]) => {
      // Waiting for room keeps this instance from fetching what another can run sooner.
      await ticks.room(limit);
      if (job) void ticks.fire(job.data.scheduleId, new Date(job.data.tickAt));
    },
  );
  const send = async (scheduleId: number, tickAt: Date) => {
    const data: TickJob = { scheduleId, tickAt: tickAt.toISOString() };
    await boss.send(TICK_QUEUE, data, { id: tickJobId(scheduleId, tickAt) });
    // The worker would find the job at its next poll; waking it saves that second.
    boss.notifyWorker(worker);
  };
  const timers = scheduleTimers((id, tickAt) => {
    send(id, tickAt).catch((error: unknown) => {
      deps.log.error({ err: error, scheduleId: id }, 'could not queue a scheduled run');
    });
  });
  let stopped = false;
  return {
    boss,
    armed: timers.armed,
    async sync() {
      if (!stopped) timers.arm(await deps.schedules.active());
    },
    async stop() {
      stopped = true;
      timers.stop();
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
    armed: scheduler.armed,
    sync,
    async stop() {
      clearInterval(timer);
      await syncing;
      await scheduler.stop();
    },
  };
}
