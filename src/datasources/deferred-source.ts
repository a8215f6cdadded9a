/**
 * A data source whose driver module is still loading. The registry loads a driver's module (and
 * its npm driver: mysql2, pg) with the first pool of that driver, not at start-up; a pool opened
 * meanwhile is this stand-in, whose calls wait for the real pool and then go to it unchanged.
 */
import type { DataSource, DriverName, PoolStats, RowBatch, RunRequest } from './driver.ts';

const NO_POOL: PoolStats = { inUse: 0, idle: 0, waiting: 0, busyRefusals: 0 };

async function* runWhenOpen(opening: Promise<DataSource>, request: RunRequest): AsyncIterable<RowBatch> {
  yield* (await opening).run(request);
}

/** Stands in for the pool `opening` resolves to; its errors surface on the first call that waits. */
export function deferredSource(driver: DriverName, opening: Promise<DataSource>): DataSource {
  let source: DataSource | undefined;
  const opened = opening.then((real) => {
    source = real;
    return real;
  });
  // Not an unhandled rejection: the calls below report the failure to their own callers.
  opened.catch(() => {});
  return {
    driver,
    test: async () => (source ?? (await opened)).test(),
    run: (request) => (source ? source.run(request) : runWhenOpen(opened, request)),
    privileges: async () => (source ?? (await opened)).privileges(),
    poolStats: () => source?.poolStats() ?? NO_POOL,
    async close() {
      const real = await opened.catch(() => undefined);
      await real?.close();
    },
  };
}
