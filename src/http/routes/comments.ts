/** Comments on a report (SPEC §3); the service checks who may read, write, edit and delete. */
import type { FastifyInstance } from 'fastify';
import { okEnvelope } from '../envelope.ts';
import { principalOf } from '../route-auth.ts';
import type { RouteDeps } from '../server.ts';
import { commentBody, commentListParams, commentParams } from './comments.schema.ts';

const doc = (summary: string) => ({ schema: { summary, tags: ['comments'] } });

export function commentRoutes(server: FastifyInstance, { services }: RouteDeps) {
  server.get('/api/reports/:report/comments/', doc('Comments on a report, oldest first'), async (request) => {
    const principal = principalOf(request);
    const { report } = commentListParams.parse(request.params);
    return okEnvelope(await services.comments.list(report, principal));
  });
  server.post('/api/reports/:report/comments/', doc('Add a comment to a report'), async (request, reply) => {
    const principal = principalOf(request);
    const { report } = commentListParams.parse(request.params);
    const created = await services.comments.create(report, commentBody.parse(request.body), principal);
    return reply.code(201).send(okEnvelope([created]));
  });
  server.put('/api/reports/:report/comments/:id/', doc('Edit your own comment'), async (request) => {
    const principal = principalOf(request);
    const { report, id } = commentParams.parse(request.params);
    return okEnvelope([
      await services.comments.update(report, id, commentBody.parse(request.body), principal),
    ]);
  });
  server.delete(
    '/api/reports/:report/comments/:id/',
    doc('Delete your own comment (admins: any)'),
    async (request) => {
      const principal = principalOf(request);
      const { report, id } = commentParams.parse(request.params);
      await services.comments.delete(report, id, principal);
      return okEnvelope([]);
    },
  );
}
