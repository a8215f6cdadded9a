/** The admin JSON API for people: list with activity, local accounts, delete, refresh groups. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden } from '../../errors.ts';
import type { Principal } from '../../policies/principal.ts';
import { canAdminister } from '../../policies/report-access.ts';
import { okEnvelope } from '../envelope.ts';
import type { RouteDeps } from '../server.ts';
import { createUserBody, userEmailParams } from './admin-users.schema.ts';

export function adminUserRoutes(server: FastifyInstance, { services, auth }: RouteDeps) {
  async function admin(request: FastifyRequest): Promise<Principal> {
    const principal = await auth.principalOf(request);
    if (!canAdminister(principal)) throw forbidden('This needs an admin');
    return principal;
  }

  server.get('/api/admin/users/', async (request) => {
    await admin(request);
    return okEnvelope(await services.users.list());
  });
  server.post('/api/admin/users/', async (request, reply) => {
    const actor = await admin(request);
    const created = await services.users.create(createUserBody.parse(request.body), actor);
    return reply.code(201).send(okEnvelope([created]));
  });
  server.delete('/api/admin/users/:email/', async (request) => {
    const actor = await admin(request);
    await services.users.delete(userEmailParams.parse(request.params).email, actor);
    return okEnvelope([]);
  });
  server.post('/api/admin/users/:email/refresh-groups/', async (request) => {
    const actor = await admin(request);
    return okEnvelope([
      await services.users.refreshGroups(userEmailParams.parse(request.params).email, actor),
    ]);
  });
}
