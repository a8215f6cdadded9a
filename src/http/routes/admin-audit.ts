/** `GET /api/admin/audit/`: audit records for admins only, newest first, with filters. */
import type { FastifyInstance } from 'fastify';
import { okEnvelope } from '../envelope.ts';
import { contextOf } from '../route-auth.ts';
import type { RouteDeps } from '../server.ts';
import { auditQuery } from './admin-audit.schema.ts';

export function adminAuditRoutes(server: FastifyInstance, { services }: RouteDeps) {
  server.get('/api/admin/audit/', { config: { role: 'admin' } }, async (request) => {
    const filter = auditQuery.parse(request.query ?? {});
    return okEnvelope(await services.audit.search(contextOf(request), filter));
  });
}
