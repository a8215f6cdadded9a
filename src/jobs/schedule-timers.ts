/**
 * In-process timers for the active schedules (croner), shared by both job engines: on SQLite a
 * timer runs its tick; on PostgreSQL it hands the tick to the shared job queue. A timer fires at
 * the tick itself, so a run starts within moments of its time.
 */
import { Cron } from 'croner';
import type { ScheduleRow } from '../store/tables.ts';
import type { JobLogger } from './audit-cleanup.ts';

/** The scheduled slot a tick belongs to: the latest time the timetable fired at or before `at`. */
export function slotOf(row: Pick<ScheduleRow, 'cron' | 'timezone'>, at: Date): Date {
  const cron = new Cron(row.cron, { paused: true, timezone: row.timezone });
  const slot = cron.previousRuns(1, new Date(at.getTime() + 1))[0];
  cron.stop();
  return slot ?? new Date(Math.floor(at.getTime() / 1000) * 1000);
}

const keyOf = (row: ScheduleRow) => `${row.cron}|${row.timezone}`;

/** One croner timer per active schedule; `arm` re-arms the changed and drops the gone. */
export function scheduleTimers(onTick: (id: number, tickAt: Date) => void) {
  const jobs = new Map<number, { key: string; cron: Cron }>();
  return {
    arm(rows: readonly ScheduleRow[]) {
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
          onTick(row.id, slotOf(row, new Date()));
        });
        jobs.set(row.id, { key: keyOf(row), cron });
      }
    },
    /** The ids of the armed schedules (diagnostics, tests). */
    armed: () => [...jobs.keys()],
    stop() {
      for (const job of jobs.values()) job.cron.stop();
      jobs.clear();
    },
  };
}

/** Keeps in-flight ticks, so a stop can wait for them and a busy instance can hold back. */
export function tickTracker(log: JobLogger, run: (id: number, tickAt: Date) => Promise<number | null>) {
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
    /** Resolves once fewer than `limit` ticks are running here. */
    async room(limit: number) {
      while (running.size >= limit) await Promise.race(running);
    },
    settle: () => Promise.allSettled([...running]),
  };
}
