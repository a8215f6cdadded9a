/** Connections (admin only): list without secrets, create, replace, delete, test. */
import { answers, createdAnswers, emptyRecord, okEnvelope } from '../envelope.ts';
import { contextOf } from '../route-auth.ts';
import type { ApiServer } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';
import {
  connectionParams,
  connectionRecord,
  createConnectionBody,
  replaceConnectionBody,
} from './admin-connections.schema.ts';

const tags = ['admin: connections'];
const config = { role: 'admin' } as const;
const path = '/api/admin/connections/:name/';

export function adminConnectionRoutes(server: ApiServer, { services }: RouteDeps) {
  const { connections } = services;
  server.get(
    '/api/admin/connections/',
    {
      config,
      schema: { summary: 'List connections (no secrets)', tags, response: answers(connectionRecord) },
    },
    async (request) => okEnvelope(await connections.list(contextOf(request))),
  );
  server.post(
    '/api/admin/connections/',
    {
      config,
      schema: {
        summary: 'Create a connection',
        tags,
        body: createConnectionBody,
        response: createdAnswers(connectionRecord),
      },
    },
    async (request, reply) => {
      const saved = await connections.save(contextOf(request), request.body);
      return reply.code(201).send(okEnvelope([saved]));
    },
  );
  server.put(
    path,
    {
      config,
      schema: {
        summary: 'Create or replace a connection',
        tags,
        params: connectionParams,
        body: replaceConnectionBody,
        response: answers(connectionRecord),
      },
    },
    async (request) => {
      const body = { ...request.body, name: request.params.name };
      return okEnvelope([await connections.save(contextOf(request), body, { replace: true })]);
    },
  );
  server.delete(
    path,
    {
      config,
      schema: {
        summary: 'Delete a connection',
        tags,
        params: connectionParams,
        response: answers(emptyRecord),
      },
    },
    async (request) => {
      await connections.delete(contextOf(request), request.params.name);
      return okEnvelope([]);
    },
  );
  server.post(
    `${path}test/`,
    {
      config,
      schema: {
        summary: 'Test a connection',
        tags,
        params: connectionParams,
        response: answers(emptyRecord),
      },
    },
    async (request) => {
      await connections.test(contextOf(request), request.params.name);
      return okEnvelope([], 'The connection works');
    },
  );
}
