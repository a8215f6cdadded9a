/** Bundles for editors: import (YAML or JSON, idempotent by name) and export (no secrets). */
import { parseBundle } from '../../services/bundles.ts';
import { answers, okEnvelope } from '../envelope.ts';
import { contextOf, EDITOR } from '../route-auth.ts';
import type { ApiServer } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';
import { exportQuery, importBundleBody, importSummaryRecord } from './admin-bundles.schema.ts';

const tags = ['admin: bundles'];
/** The route option shared with every restricted route file (route-auth.ts). */
const { config } = EDITOR;

export function adminBundleRoutes(server: ApiServer, { services }: RouteDeps) {
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
      const summary = await services.bundles.import(ctx, parseBundle(text));
      return okEnvelope([summary]);
    },
  );
  server.get(
    '/api/admin/bundle/export/',
    { config, schema: { summary: 'Export a bundle (no secrets)', tags, querystring: exportQuery } },
    async (request, reply) => {
      const { format } = request.query;
      const text = await services.bundles.export(contextOf(request), format);
      return reply.type(format === 'json' ? 'application/json' : 'application/yaml').send(text);
    },
  );
}
