/**
 * The benchmark's knobs, read once: the only place under bench/ that reads the environment.
 * `BENCH_QUICK=1` is a smoke run (short rounds, fewer rows) that checks the harness, not the
 * figures; the figures in the README come from a run without it.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

const quick = process.env.BENCH_QUICK === '1';

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pinning needs two cores: one for the load generator, one for the server under test. */
const pin = cpus().length >= 2 && hasTaskset();

export const benchConfig = Object.freeze({
  quick,
  /** Repetitions of every measurement; the summary shows min / median / max over them. */
  repetitions: 5,
  /**
   * XLSX is reported beside the goals, not judged, and a million rows of it take tens of seconds
   * per download: three keep a whole run near ten minutes. Its peak RSS is over these three.
   */
  xlsxRepetitions: 3,
  /** Seconds of load per repetition of an HTTP scenario, after an uncounted warm-up. */
  roundSeconds: quick ? 1 : 3,
  warmUpSeconds: 1,
  connections: 10,
  /** Rows streamed from PostgreSQL; the stored table always holds the full million. */
  streamRows: quick ? 100_000 : 1_000_000,
  /** `taskset -c` core lists, or undefined when the machine cannot pin. */
  loadCore: pin ? '0' : undefined,
  serverCore: pin ? '1' : undefined,
  /** The environment children start from (the server adds its own settings to a copy). */
  env: process.env,
});
