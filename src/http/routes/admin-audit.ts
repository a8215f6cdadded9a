/** `GET /api/admin/audit/`: audit records for admins only, newest first, with filters. */
import { answers, okEnvelope } from '../envelope.ts';
import { contextOf } from '../route-auth.ts';
import type { ApiServer } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';
import { auditQuery, auditRecord } from './admin-audit.schema.ts';

export function adminAuditRoutes(server: ApiServer, { services }: RouteDeps) {
  server.get(
    '/api/admin/audit/',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Audit records, newest first (admins only)',
        response: answers(auditRecord),
        tags: ['admin: audit'],
        querystring: auditQuery,
      },
    },
    async (request) => okEnvelope(await services.audit.search(contextOf(request), request.query)),
  );
}
