/**
 * The app's one logger: JSON lines (pino) with credentials censored. The HTTP server, the store
 * and the jobs all write through it, so every line has the same shape and the same redaction.
 * The last step sees the finished line: whatever field a message, an error or its cause put a
 * connection URL or a secret-looking parameter in, it is redacted before it is written.
 */
import type { FastifyRequest } from 'fastify';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { Config } from '../config.ts';
import { LOG_REDACT_PATHS, REDACTED, redactText, redactUrl } from './redact.ts';

export function createLogger(config: Readonly<Config>, stream?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    redact: { paths: LOG_REDACT_PATHS, censor: REDACTED },
    hooks: { streamWrite: redactText },
    serializers: {
      // Fastify's own serializer logs the raw URL; this one hides secret-looking parameters.
      req: (request: FastifyRequest) => ({ method: request.method, url: redactUrl(request.url) }),
    },
  };
  // Standard output is written asynchronously, so a request never waits on a slow pipe: lines
  // that arrive while a write is in flight queue and go out together. Nothing is lost at
  // shutdown: pino writes what is queued synchronously on the process's `exit` (every
  // process.exit in main.ts and process-faults.ts) and flushes it on `beforeExit`.
  return pino(options, stream ?? pino.destination({ sync: false }));
}
