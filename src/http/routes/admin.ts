/**
 * The admin JSON API: tokens, connections, clusters, reports and bundles. Each route declares its
 * role (checked by the authorization hook); the services check again for what they return.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../policies/principal.ts';
import { exportBundle, importBundle, parseBundle } from '../../services/bundles.ts';
import type { ReportDefinition } from '../../services/report-model.ts';
import { okEnvelope } from '../envelope.ts';
import { presentReport } from '../presenters.ts';
import { principalOf } from '../route-auth.ts';
import type { RouteDeps } from '../server.ts';
import { createTokenBody, tokenNameParams } from './admin-tokens.schema.ts';

const nameParams = z.object({ name: z.string().min(1) });
const reportParams = z.object({ report: z.string().min(1) });
const exportQuery = z.object({ format: z.enum(['yaml', 'json']).default('json') });

/** A save answers with the live report and the version it made: live for admins, else a draft. */
function savedEnvelope(
  saved: { report: ReportDefinition; version: { number: number; state: string } },
  actor: Principal,
) {
  const version = { number: saved.version.number, state: saved.version.state };
  const message =
    version.state === 'draft'
      ? `Saved as draft version ${version.number}; it runs once approved and promoted`
      : '';
  return okEnvelope([{ ...presentReport(saved.report, actor), version }], message);
}

const ADMIN = { config: { role: 'admin' } } as const;
const EDITOR = { config: { role: 'editor' } } as const;

export function adminRoutes(server: FastifyInstance, deps: RouteDeps) {
  const { services, transaction } = deps;

  server.get('/api/admin/tokens/', ADMIN, async () => {
    return okEnvelope(await services.tokens.list());
  });
  server.post('/api/admin/tokens/', ADMIN, async (request, reply) => {
    const actor = principalOf(request);
    const created = await services.tokens.create(createTokenBody.parse(request.body), actor);
    return reply.code(201).send(okEnvelope([created], 'Copy the header now: it is shown only once'));
  });
  server.delete('/api/admin/tokens/:name/', ADMIN, async (request) => {
    const actor = principalOf(request);
    await services.tokens.delete(tokenNameParams.parse(request.params).name, actor);
    return okEnvelope([]);
  });

  server.get('/api/admin/connections/', ADMIN, async () => {
    return okEnvelope(await services.connections.list());
  });
  server.post('/api/admin/connections/', ADMIN, async (request, reply) => {
    const actor = principalOf(request);
    return reply.code(201).send(okEnvelope([await services.connections.save(request.body as never, actor)]));
  });
  server.put('/api/admin/connections/:name/', ADMIN, async (request) => {
    const actor = principalOf(request);
    const body = { ...(request.body as object), name: nameParams.parse(request.params).name };
    return okEnvelope([await services.connections.save(body as never, actor, { replace: true })]);
  });
  server.delete('/api/admin/connections/:name/', ADMIN, async (request) => {
    const actor = principalOf(request);
    await services.connections.delete(nameParams.parse(request.params).name, actor);
    return okEnvelope([]);
  });
  server.post('/api/admin/connections/:name/test/', ADMIN, async (request) => {
    await services.connections.test(nameParams.parse(request.params).name);
    return okEnvelope([], 'The connection works');
  });

  server.get('/api/admin/clusters/', ADMIN, async () => {
    return okEnvelope(await services.clusters.list());
  });
  server.put('/api/admin/clusters/:name/', ADMIN, async (request) => {
    const actor = principalOf(request);
    const body = { ...(request.body as object), name: nameParams.parse(request.params).name };
    return okEnvelope([await services.clusters.save(body as never, actor, { replace: true })]);
  });
  server.delete('/api/admin/clusters/:name/', ADMIN, async (request) => {
    const actor = principalOf(request);
    await services.clusters.delete(nameParams.parse(request.params).name, actor);
    return okEnvelope([]);
  });

  server.get('/api/admin/reports/', EDITOR, async (request) => {
    const actor = principalOf(request);
    return okEnvelope((await services.reports.list()).map((report) => presentReport(report, actor)));
  });
  server.post('/api/admin/reports/', EDITOR, async (request, reply) => {
    const actor = principalOf(request);
    const saved = await transaction((scoped) => scoped.reports.saveVersion(request.body as never, actor));
    return reply.code(201).send(savedEnvelope(saved, actor));
  });
  server.put('/api/admin/reports/:report/', EDITOR, async (request) => {
    const actor = principalOf(request);
    const current = await services.reports.resolve(reportParams.parse(request.params).report);
    const body = {
      ...(request.body as object),
      name: (request.body as { name?: string })?.name ?? current.name,
    };
    const saved = await transaction((scoped) =>
      scoped.reports.saveVersion(body as never, actor, { replace: true }),
    );
    return savedEnvelope(saved, actor);
  });
  server.delete('/api/admin/reports/:report/', EDITOR, async (request) => {
    const actor = principalOf(request);
    const { report } = reportParams.parse(request.params);
    await transaction((scoped) => scoped.reports.delete(report, actor));
    return okEnvelope([]);
  });

  server.post('/api/admin/bundle/import/', EDITOR, async (request) => {
    const actor = principalOf(request);
    const text = typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? {});
    const summary = await transaction((scoped) => importBundle(parseBundle(text), scoped, actor));
    return okEnvelope([summary]);
  });
  server.get('/api/admin/bundle/export/', EDITOR, async (request, reply) => {
    const { format } = exportQuery.parse(request.query);
    const text = await exportBundle(services, format, principalOf(request));
    return reply.type(format === 'json' ? 'application/json' : 'application/yaml').send(text);
  });
}
