/**
 * The admin JSON API: tokens, connections, clusters, reports and bundles. Each route declares its
 * role (checked by the authorization hook); the services check again for what they return.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../policies/principal.ts';
import { exportBundle, parseBundle } from '../../services/bundles.ts';
import type { ReportDefinition } from '../../services/report-model.ts';
import { okEnvelope } from '../envelope.ts';
import { presentReport } from '../presenters.ts';
import { ADMIN, contextOf, EDITOR } from '../route-auth.ts';
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

export function adminRoutes(server: FastifyInstance, deps: RouteDeps) {
  const { services } = deps;

  server.get('/api/admin/tokens/', ADMIN, async (request) => {
    return okEnvelope(await services.tokens.list(contextOf(request)));
  });
  server.post('/api/admin/tokens/', ADMIN, async (request, reply) => {
    const ctx = contextOf(request);
    const created = await services.tokens.create(ctx, createTokenBody.parse(request.body));
    return reply.code(201).send(okEnvelope([created], 'Copy the header now: it is shown only once'));
  });
  server.delete('/api/admin/tokens/:name/', ADMIN, async (request) => {
    const ctx = contextOf(request);
    await services.tokens.delete(ctx, tokenNameParams.parse(request.params).name);
    return okEnvelope([]);
  });

  server.get('/api/admin/connections/', ADMIN, async (request) => {
    return okEnvelope(await services.connections.list(contextOf(request)));
  });
  server.post('/api/admin/connections/', ADMIN, async (request, reply) => {
    const ctx = contextOf(request);
    return reply.code(201).send(okEnvelope([await services.connections.save(ctx, request.body as never)]));
  });
  server.put('/api/admin/connections/:name/', ADMIN, async (request) => {
    const ctx = contextOf(request);
    const body = { ...(request.body as object), name: nameParams.parse(request.params).name };
    return okEnvelope([await services.connections.save(ctx, body as never, { replace: true })]);
  });
  server.delete('/api/admin/connections/:name/', ADMIN, async (request) => {
    const ctx = contextOf(request);
    await services.connections.delete(ctx, nameParams.parse(request.params).name);
    return okEnvelope([]);
  });
  server.post('/api/admin/connections/:name/test/', ADMIN, async (request) => {
    await services.connections.test(contextOf(request), nameParams.parse(request.params).name);
    return okEnvelope([], 'The connection works');
  });

  server.get('/api/admin/clusters/', ADMIN, async (request) => {
    return okEnvelope(await services.clusters.list(contextOf(request)));
  });
  server.put('/api/admin/clusters/:name/', ADMIN, async (request) => {
    const ctx = contextOf(request);
    const body = { ...(request.body as object), name: nameParams.parse(request.params).name };
    return okEnvelope([await services.clusters.save(ctx, body as never, { replace: true })]);
  });
  server.delete('/api/admin/clusters/:name/', ADMIN, async (request) => {
    const ctx = contextOf(request);
    await services.clusters.delete(ctx, nameParams.parse(request.params).name);
    return okEnvelope([]);
  });

  server.get('/api/admin/reports/', EDITOR, async (request) => {
    const ctx = contextOf(request);
    return okEnvelope(
      (await services.reports.list(ctx)).map((report) => presentReport(report, ctx.principal)),
    );
  });
  server.post('/api/admin/reports/', EDITOR, async (request, reply) => {
    const ctx = contextOf(request);
    const saved = await services.reports.saveVersion(ctx, request.body as never);
    return reply.code(201).send(savedEnvelope(saved, ctx.principal));
  });
  server.put('/api/admin/reports/:report/', EDITOR, async (request) => {
    const ctx = contextOf(request);
    const current = await services.reports.resolve(ctx, reportParams.parse(request.params).report);
    const body = {
      ...(request.body as object),
      name: (request.body as { name?: string })?.name ?? current.name,
    };
    const saved = await services.reports.saveVersion(ctx, body as never, { replace: true });
    return savedEnvelope(saved, ctx.principal);
  });
  server.delete('/api/admin/reports/:report/', EDITOR, async (request) => {
    const ctx = contextOf(request);
    const { report } = reportParams.parse(request.params);
    await services.reports.delete(ctx, report);
    return okEnvelope([]);
  });

  server.post('/api/admin/bundle/import/', EDITOR, async (request) => {
    const ctx = contextOf(request);
    const text = typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? {});
    const summary = await services.bundles.import(ctx, parseBundle(text));
    return okEnvelope([summary]);
  });
  server.get('/api/admin/bundle/export/', EDITOR, async (request, reply) => {
    const { format } = exportQuery.parse(request.query);
    const text = await exportBundle(contextOf(request), services, format);
    return reply.type(format === 'json' ? 'application/json' : 'application/yaml').send(text);
  });
}
