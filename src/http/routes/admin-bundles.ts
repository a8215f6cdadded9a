/** Bundles for editors: import (YAML or JSON, idempotent by name) and export (no secrets). */
import { exportBundle, importBundle, parseBundle } from '../../services/bundles.ts';
import { answers, okEnvelope } from '../envelope.ts';
import { contextOf } from '../route-auth.ts';
import type { ApiServer } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';
import { exportQuery, importBundleBody, importSummaryRecord } from './admin-bundles.schema.ts';

const tags = ['admin: bundles'];
const config = { role: 'editor' } as const;

export function adminBundleRoutes(server: ApiServer, { services, transaction }: RouteDeps) {
  server.post(
    '/api/admin/bundle/import/',
    {
      config,
      schema: {
        summary: 'Import a bundle (YAML or JSON), idempotent by name',
        response: answers(importSummaryRecord),
        tags,
        consumes: ['application/json', 'application/yaml', 'text/yaml', 'text/plain'],
        body: importBundleBody,
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      const text = typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? {});
      const summary = await transaction((scoped) => importBundle(ctx, parseBundle(text), scoped));
      return okEnvelope([summary]);
    },
  );
  server.get(
    '/api/admin/bundle/export/',
    { config, schema: { summary: 'Export a bundle (no secrets)', tags, querystring: exportQuery } },
    async (request, reply) => {
      const { format } = request.query;
      const text = await exportBundle(contextOf(request), services, format);
      return reply.type(format === 'json' ? 'application/json' : 'application/yaml').send(text);
    },
  );
}
