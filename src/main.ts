/** Entry point: configuration, the app, listen, and a graceful stop on signals. */
import { type App, buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { setUpDemoOnce } from './demo/demo-setup.ts';
import { AppError } from './errors.ts';
import { logStrayErrors } from './process-faults.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Shutdown order: readiness goes 503, the listener stays open for SHUTDOWN_DELAY_SECONDS so load
 * balancers notice, then it closes and in-flight requests get SHUTDOWN_TIMEOUT_SECONDS to finish;
 * schedules and pools stop last. A second timer guarantees the process ends even if a step hangs.
 */
function stopOnSignals(app: App) {
  const { shutdownDelaySeconds, shutdownTimeoutSeconds } = app.config;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const backstopMs = (shutdownDelaySeconds + shutdownTimeoutSeconds) * 1000 + 10_000;
    setTimeout(() => {
      app.log.error({ signal }, `shutdown did not finish in ${backstopMs / 1000} s; exiting`);
      process.exit(1);
    }, backstopMs).unref();
    app.startDraining();
    app.log.info({ signal, delaySeconds: shutdownDelaySeconds }, 'shutting down: draining');
    if (shutdownDelaySeconds > 0) await sleep(shutdownDelaySeconds * 1000);
    const clean = await app.close({ graceMs: shutdownTimeoutSeconds * 1000 });
    if (!clean) app.log.warn({ signal }, `work still running after ${shutdownTimeoutSeconds} s was cut off`);
    app.log.info({ signal }, 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

async function main() {
  const config = loadConfig();
  const app = await buildApp(config);
  logStrayErrors(app.log);
  stopOnSignals(app);
  const demoHeader = await setUpDemoOnce(app);
  const address = await app.server.listen({ port: config.port, host: config.host });
  // Only a scrape reads them; loading them waits until the server answers.
  app.metrics.startProcessMetrics();
  console.log(`Secure Reporter listening on ${address}`);
  if (demoHeader) {
    console.log('\nDemo set up. Admin token (shown once; create more with `npm run cli -- token create`):');
    console.log(`  Authorization: ${demoHeader}`);
    console.log(
      `Try:\n  curl -H 'Authorization: ${demoHeader}' ${address.replace('0.0.0.0', '127.0.0.1')}/api/call/customer-by-id/?_id=42\n`,
    );
  }
}

main().catch((error: unknown) => {
  // Known failures (configuration, an unreachable store) are one clear line, not a stack.
  if (error instanceof ConfigError || error instanceof AppError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
