/** What the process does with errors nobody caught, so none of them passes silently. */
import type { Logger } from 'pino';

/** A lost promise is logged and the server goes on; a thrown exception leaves unknown state. */
export function logStrayErrors(log: Pick<Logger, 'error' | 'fatal'>): void {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, `unhandled rejection: ${String(reason)}`);
  });
  process.on('uncaughtException', (error) => {
    log.fatal({ err: error }, `uncaught exception: ${error.message}`);
    process.exit(1);
  });
}
