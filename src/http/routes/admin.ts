/**
 * The admin JSON API: tokens, connections, clusters, reports and bundles. Every route checks the
 * caller's role with the same policy functions the services use.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { forbidden } from '../../errors.ts';
import type { Principal } from '../../policies/principal.ts';
import { canAdminister } from '../../policies/report-access.ts';
import { exportBundle, importBundle, parseBundle } from '../../services/bundles.ts';
import type { ReportDefinition } from '../../services/report-model.ts';
import { okEnvelope } from '../envelope.ts';
import { presentReport } from '../presenters.ts';
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
  const { services, auth, transaction } = deps;

  async function admin(request: FastifyRequest): Promise<Principal> {
    const principal = await auth.principalOf(request);
    if (!canAdminister(principal)) throw forbidden('This needs an admin');
    return principal;
  }
  async function editor(request: FastifyRequest): Promise<Principal> {
    const principal = await auth.principalOf(request);
    if (!principal.isEditor) throw forbidden('This needs an editor or admin');
    return principal;
  }

  server.get('/api/admin/tokens/', async (request) => {
    await admin(request);
    return okEnvelope(await services.tokens.list());
  });
  server.post('/api/admin/tokens/', async (request, reply) => {
    const actor = await admin(request);
    const created = await services.tokens.create(createTokenBody.parse(request.body), actor);
    return reply.code(201).send(okEnvelope([created], 'Copy the header now: it is shown only once'));
  });
  server.delete('/api/admin/tokens/:name/', async (request) => {
    const actor = await admin(request);
    await services.tokens.delete(tokenNameParams.parse(request.params).name, actor);
    return okEnvelope([]);
  });

  server.get('/api/admin/connections/', async (request) => {
    await admin(request);
    return okEnvelope(await services.connections.list());
  });
  server.post('/api/admin/connections/', async (request, reply) => {
    const actor = await admin(request);
    return reply.code(201).send(okEnvelope([await services.connections.save(request.body as never, actor)]));
  });
  server.put('/api/admin/connections/:name/', async (request) => {
    const actor = await admin(request);
    const body = { ...(request.body as object), name: nameParams.parse(request.params).name };
    return okEnvelope([await services.connections.save(body as never, actor, { replace: true })]);
  });
  server.delete('/api/admin/connections/:name/', async (request) => {
    const actor = await admin(request);
    await services.connections.delete(nameParams.parse(request.params).name, actor);
    return okEnvelope([]);
  });
  server.post('/api/admin/connections/:name/test/', async (request) => {
    await admin(request);
    await services.connections.test(nameParams.parse(request.params).name);
    return okEnvelope([], 'The connection works');
  });

  server.get('/api/admin/clusters/', async (request) => {
    await admin(request);
    return okEnvelope(await services.clusters.list());
  });
  server.put('/api/admin/clusters/:name/', async (request) => {
    const actor = await admin(request);
    const body = { ...(request.body as object), name: nameParams.parse(request.params).name };
    return okEnvelope([await services.clusters.save(body as never, actor, { replace: true })]);
  });
  server.delete('/api/admin/clusters/:name/', async (request) => {
    const actor = await admin(request);
    await services.clusters.delete(nameParams.parse(request.params).name, actor);
    return okEnvelope([]);
  });

  server.get('/api/admin/reports/', async (request) => {
    const actor = await editor(request);
    return okEnvelope((await services.reports.list()).map((report) => presentReport(report, actor)));
  });
  server.post('/api/admin/reports/', async (request, reply) => {
    const actor = await editor(request);
    const saved = await transaction((scoped) => scoped.reports.saveVersion(request.body as never, actor));
    return reply.code(201).send(savedEnvelope(saved, actor));
  });
  server.put('/api/admin/reports/:report/', async (request) => {
    const actor = await editor(request);
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
  server.delete('/api/admin/reports/:report/', async (request) => {
    const actor = await editor(request);
    await services.reports.delete(reportParams.parse(request.params).report, actor);
    return okEnvelope([]);
  });

  server.post('/api/admin/bundle/import/', async (request) => {
    const actor = await editor(request);
    const text = typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? {});
    const summary = await transaction((scoped) => importBundle(parseBundle(text), scoped, actor));
    return okEnvelope([summary]);
  });
  server.get('/api/admin/bundle/export/', async (request, reply) => {
    await editor(request);
    const { format } = exportQuery.parse(request.query);
    const text = await exportBundle(services, format);
    return reply.type(format === 'json' ? 'application/json' : 'application/yaml').send(text);
  });
}
