/** `GET /api/admin/audit/`: audit records for admins only, newest first, with filters. */
import type { FastifyInstance } from 'fastify';
import { forbidden } from '../../errors.ts';
import { canAdminister } from '../../policies/report-access.ts';
import { okEnvelope } from '../envelope.ts';
import type { RouteDeps } from '../server.ts';
import { auditQuery } from './admin-audit.schema.ts';

export function adminAuditRoutes(server: FastifyInstance, { services, auth }: RouteDeps) {
  server.get('/api/admin/audit/', async (request) => {
    const principal = await auth.principalOf(request);
    if (!canAdminister(principal)) throw forbidden('This needs an admin');
    const filter = auditQuery.parse(request.query ?? {});
    return okEnvelope(await services.audit.search(filter));
  });
}
