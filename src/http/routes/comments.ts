/** Comments on a report (SPEC §3); the service checks who may read, write, edit and delete. */
import { answers, createdAnswers, emptyRecord, okEnvelope } from '../envelope.ts';
import { contextOf } from '../route-auth.ts';
import type { ApiServer } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';
import { commentBody, commentListParams, commentParams, commentRecord } from './comments.schema.ts';

const tags = ['comments'];
const list = '/api/reports/:report/comments/';

export function commentRoutes(server: ApiServer, { services: { comments } }: RouteDeps) {
  server.get(
    list,
    {
      schema: {
        summary: 'Comments on a report, oldest first',
        response: answers(commentRecord),
        tags,
        params: commentListParams,
      },
    },
    async (request) => okEnvelope(await comments.list(contextOf(request), request.params.report)),
  );
  server.post(
    list,
    {
      schema: {
        summary: 'Add a comment to a report',
        response: createdAnswers(commentRecord),
        tags,
        params: commentListParams,
        body: commentBody,
      },
    },
    async (request, reply) => {
      const created = await comments.create(contextOf(request), request.params.report, request.body);
      return reply.code(201).send(okEnvelope([created]));
    },
  );
  server.put(
    `${list}:id/`,
    {
      schema: {
        summary: 'Edit your own comment',
        response: answers(commentRecord),
        tags,
        params: commentParams,
        body: commentBody,
      },
    },
    async (request) => {
      const { report, id } = request.params;
      return okEnvelope([await comments.update(contextOf(request), report, id, request.body)]);
    },
  );
  server.delete(
    `${list}:id/`,
    {
      schema: {
        summary: 'Delete your own comment (admins: any)',
        response: answers(emptyRecord),
        tags,
        params: commentParams,
      },
    },
    async (request) => {
      const { report, id } = request.params;
      await comments.delete(contextOf(request), report, id);
      return okEnvelope([]);
    },
  );
}
