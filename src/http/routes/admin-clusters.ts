/** Clusters (admin only): list, create or replace by name, delete. */
import { answers, emptyRecord, okEnvelope } from '../envelope.ts';
import { contextOf } from '../route-auth.ts';
import type { ApiServer } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';
import { clusterParams, clusterRecord, replaceClusterBody } from './admin-clusters.schema.ts';

const tags = ['admin: clusters'];
const config = { role: 'admin' } as const;

export function adminClusterRoutes(server: ApiServer, { services }: RouteDeps) {
  const { clusters } = services;
  server.get(
    '/api/admin/clusters/',
    { config, schema: { summary: 'List clusters', response: answers(clusterRecord), tags } },
    async (request) => okEnvelope(await clusters.list(contextOf(request))),
  );
  server.put(
    '/api/admin/clusters/:name/',
    {
      config,
      schema: {
        summary: 'Create or replace a cluster',
        response: answers(clusterRecord),
        tags,
        params: clusterParams,
        body: replaceClusterBody,
      },
    },
    async (request) => {
      const body = { ...request.body, name: request.params.name };
      return okEnvelope([await clusters.save(contextOf(request), body, { replace: true })]);
    },
  );
  server.delete(
    '/api/admin/clusters/:name/',
    {
      config,
      schema: { summary: 'Delete a cluster', response: answers(emptyRecord), tags, params: clusterParams },
    },
    async (request) => {
      await clusters.delete(contextOf(request), request.params.name);
      return okEnvelope([]);
    },
  );
}
