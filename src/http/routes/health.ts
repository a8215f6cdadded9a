import { sql } from 'kysely';
import { STORE_UNAVAILABLE_MESSAGE } from '../../store/store-faults.ts';
import type { ApiServer } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';

/** A store that accepted the connection but never answers must not hang the probe. */
async function storeAnswers({ store, config }: RouteDeps): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), config.storeConnectTimeoutMs);
  });
  const probe = sql`select 1`.execute(store.db).then(
    () => true,
    () => false,
  );
  return Promise.race([probe, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Liveness and readiness for load balancers; no credentials, no internals. Readiness is 503 while
 * the metadata store is unreachable and from the moment a shutdown begins.
 */
export function healthRoutes(server: ApiServer, deps: RouteDeps) {
  const probe = (summary: string) =>
    ({ config: { role: 'public' }, schema: { summary, tags: ['health'] } }) as const;
  server.get('/healthz', probe('Liveness'), async () => ({ ok: true }));
  server.get('/readyz', probe('Readiness (metadata store reachable)'), async (_request, reply) => {
    if (deps.lifecycle.draining) {
      return reply.code(503).send({ ok: false, draining: true, message: 'The server is shutting down' });
    }
    if (!(await storeAnswers(deps))) {
      return reply.code(503).send({ ok: false, store: 'unavailable', message: STORE_UNAVAILABLE_MESSAGE });
    }
    return { ok: true, store: 'ok' };
  });
}
