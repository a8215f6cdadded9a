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
  return stream ? pino(options, stream) : pino(options);
}
