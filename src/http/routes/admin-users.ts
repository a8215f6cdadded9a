/** The admin JSON API for people: list with activity, local accounts, delete, refresh groups. */
import { answers, createdAnswers, emptyRecord, okEnvelope } from '../envelope.ts';
import { contextOf } from '../route-auth.ts';
import type { ApiServer } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';
import { createUserBody, userEmailParams, userRecord } from './admin-users.schema.ts';

const tags = ['admin: users'];
const config = { role: 'admin' } as const;

export function adminUserRoutes(server: ApiServer, { services }: RouteDeps) {
  const { users } = services;
  server.get(
    '/api/admin/users/',
    { config, schema: { summary: 'List users', response: answers(userRecord), tags } },
    async (request) => okEnvelope(await users.list(contextOf(request))),
  );
  server.post(
    '/api/admin/users/',
    {
      config,
      schema: {
        summary: 'Create a local user',
        response: createdAnswers(userRecord),
        tags,
        body: createUserBody,
      },
    },
    async (request, reply) => {
      const created = await users.create(contextOf(request), request.body);
      return reply.code(201).send(okEnvelope([created]));
    },
  );
  server.delete(
    '/api/admin/users/:email/',
    {
      config,
      schema: {
        summary: 'Delete a user (their reports and schedules stay)',
        response: answers(emptyRecord),
        tags,
        params: userEmailParams,
      },
    },
    async (request) => {
      await users.delete(contextOf(request), request.params.email);
      return okEnvelope([]);
    },
  );
  server.post(
    '/api/admin/users/:email/refresh-groups/',
    {
      config,
      schema: {
        summary: "Refresh a user's groups",
        response: answers(userRecord),
        tags,
        params: userEmailParams,
      },
    },
    async (request) => okEnvelope([await users.refreshGroups(contextOf(request), request.params.email)]),
  );
}
