/** Comments on a report (SPEC §3); the service checks who may read, write, edit and delete. */
import type { FastifyInstance } from 'fastify';
import { okEnvelope } from '../envelope.ts';
import { contextOf } from '../route-auth.ts';
import type { RouteDeps } from '../server.ts';
import { commentBody, commentListParams, commentParams } from './comments.schema.ts';

const doc = (summary: string) => ({ schema: { summary, tags: ['comments'] } });

export function commentRoutes(server: FastifyInstance, { services }: RouteDeps) {
  server.get('/api/reports/:report/comments/', doc('Comments on a report, oldest first'), async (request) => {
    const ctx = contextOf(request);
    const { report } = commentListParams.parse(request.params);
    return okEnvelope(await services.comments.list(ctx, report));
  });
  server.post('/api/reports/:report/comments/', doc('Add a comment to a report'), async (request, reply) => {
    const ctx = contextOf(request);
    const { report } = commentListParams.parse(request.params);
    const created = await services.comments.create(ctx, report, commentBody.parse(request.body));
    return reply.code(201).send(okEnvelope([created]));
  });
  server.put('/api/reports/:report/comments/:id/', doc('Edit your own comment'), async (request) => {
    const ctx = contextOf(request);
    const { report, id } = commentParams.parse(request.params);
    return okEnvelope([await services.comments.update(ctx, report, id, commentBody.parse(request.body))]);
  });
  server.delete(
    '/api/reports/:report/comments/:id/',
    doc('Delete your own comment (admins: any)'),
    async (request) => {
      const ctx = contextOf(request);
      const { report, id } = commentParams.parse(request.params);
      await services.comments.delete(ctx, report, id);
      return okEnvelope([]);
    },
  );
}
