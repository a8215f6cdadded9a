/** Entry point: configuration, the app, listen, and a graceful stop on signals. */
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { setUpDemoOnce } from './demo/demo-setup.ts';
import { AppError } from './errors.ts';

async function main() {
  const config = loadConfig();
  const app = await buildApp(config);
  const demoHeader = await setUpDemoOnce(app);
  const address = await app.server.listen({ port: config.port, host: config.host });
  console.log(`Secure Reporter listening on ${address}`);
  if (demoHeader) {
    console.log('\nDemo set up. Admin token (shown once; create more with `npm run cli -- token create`):');
    console.log(`  Authorization: ${demoHeader}`);
    console.log(
      `Try:\n  curl -H 'Authorization: ${demoHeader}' ${address.replace('0.0.0.0', '127.0.0.1')}/api/call/customer-by-id/?_id=42\n`,
    );
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.server.log.info({ signal }, 'shutting down');
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  // Known failures (configuration, an unreachable store) are one clear line, not a stack.
  if (error instanceof ConfigError || error instanceof AppError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
