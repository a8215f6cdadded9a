/** The admin JSON API for people: list with activity, local accounts, delete, refresh groups. */
import type { FastifyInstance } from 'fastify';
import { okEnvelope } from '../envelope.ts';
import { ADMIN, contextOf } from '../route-auth.ts';
import type { RouteDeps } from '../server.ts';
import { createUserBody, userEmailParams } from './admin-users.schema.ts';

export function adminUserRoutes(server: FastifyInstance, { services }: RouteDeps) {
  server.get('/api/admin/users/', ADMIN, async (request) => {
    return okEnvelope(await services.users.list(contextOf(request)));
  });
  server.post('/api/admin/users/', ADMIN, async (request, reply) => {
    const ctx = contextOf(request);
    const created = await services.users.create(ctx, createUserBody.parse(request.body));
    return reply.code(201).send(okEnvelope([created]));
  });
  server.delete('/api/admin/users/:email/', ADMIN, async (request) => {
    const ctx = contextOf(request);
    await services.users.delete(ctx, userEmailParams.parse(request.params).email);
    return okEnvelope([]);
  });
  server.post('/api/admin/users/:email/refresh-groups/', ADMIN, async (request) => {
    const ctx = contextOf(request);
    const { record, message } = await services.users.refreshGroups(
      ctx,
      userEmailParams.parse(request.params).email,
    );
    return okEnvelope([record], message);
  });
}
