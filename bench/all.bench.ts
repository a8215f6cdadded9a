/**
 * `npm run bench`: every scenario of SPEC §12 (issue 11) in one run, each against its reference,
 * then one PASS or MISS per goal. The server runs as shipped — the compiled `dist/main.js` that
 * `npm run bench` builds first, default log level — on the server core, and this process (the
 * load generator and download client) on the other, when `taskset` can pin them.
 * Exits non-zero only when the harness itself fails; a missed goal prints MISS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { runApiCallBench } from './api-call.bench.ts';
import { benchConfig } from './bench-config.ts';
import { killChildren, pinSelf } from './bench-processes.ts';
import { type GoalResult, printGoals } from './bench-stats.ts';
import { runStartupBench } from './startup.bench.ts';
import { runStreamingBench } from './streaming.bench.ts';

function printMachine(): void {
  const cpu = cpus();
  const pinning =
    benchConfig.serverCore === undefined
      ? 'not pinned (no taskset or one core)'
      : `servers on core ${benchConfig.serverCore}, load generator on core ${benchConfig.loadCore}`;
  console.log(
    `Secure Reporter benchmark, ${new Date().toISOString()}${benchConfig.quick ? ' (BENCH_QUICK: smoke run, figures not comparable)' : ''}`,
  );
  console.log(
    `Node ${process.version}, ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${pinning}`,
  );
}

/** Each part gets a DATA_DIR of its own, removed afterwards, so no part sees another's state. */
async function inDataDir(name: string, part: (dataDir: string) => Promise<GoalResult[]>) {
  const dataDir = mkdtempSync(join(tmpdir(), `secure-reporter-bench-${name}-`));
  try {
    return await part(dataDir);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killChildren();
      process.exit(130);
    });
  }
  pinSelf();
  printMachine();
  const goals = [
    ...(await inDataDir('api', runApiCallBench)),
    ...(await inDataDir('stream', runStreamingBench)),
    ...(await inDataDir('start', runStartupBench)),
  ];
  printGoals(goals);
}

main().catch((error: unknown) => {
  console.error('benchmark failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
