import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { RouteDeps } from '../server.ts';

/** Liveness and readiness for load balancers; no credentials, no internals. */
export function healthRoutes(server: FastifyInstance, { store }: RouteDeps) {
  server.get('/healthz', async () => ({ ok: true }));
  server.get('/readyz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(store.db);
      return { ok: true };
    } catch {
      return reply.code(503).send({ ok: false });
    }
  });
}
