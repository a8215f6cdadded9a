/** Tokens (admin only): list, create (the header is shown once), delete. */
import { answers, createdAnswers, emptyRecord, okEnvelope } from '../envelope.ts';
import { contextOf } from '../route-auth.ts';
import type { ApiServer } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';
import { createdTokenRecord, createTokenBody, tokenNameParams, tokenRecord } from './admin-tokens.schema.ts';

const tags = ['admin: tokens'];
const config = { role: 'admin' } as const;

export function adminTokenRoutes(server: ApiServer, { services }: RouteDeps) {
  server.get(
    '/api/admin/tokens/',
    { config, schema: { summary: 'List tokens', tags, response: answers(tokenRecord) } },
    async (request) => {
      return okEnvelope(await services.tokens.list(contextOf(request)));
    },
  );
  server.post(
    '/api/admin/tokens/',
    {
      config,
      schema: {
        summary: 'Create a token; the header is shown once',
        tags,
        body: createTokenBody,
        response: createdAnswers(createdTokenRecord),
      },
    },
    async (request, reply) => {
      const created = await services.tokens.create(contextOf(request), request.body);
      return reply.code(201).send(okEnvelope([created], 'Copy the header now: it is shown only once'));
    },
  );
  server.delete(
    '/api/admin/tokens/:name/',
    {
      config,
      schema: {
        summary: 'Delete a token (takes effect at once)',
        tags,
        params: tokenNameParams,
        response: answers(emptyRecord),
      },
    },
    async (request) => {
      await services.tokens.delete(contextOf(request), request.params.name);
      return okEnvelope([]);
    },
  );
}
