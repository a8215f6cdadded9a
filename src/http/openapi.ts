/**
 * The OpenAPI 3 document of the HTTP API, served at `GET /api/openapi.json` without credentials
 * (it holds no secrets). Route descriptions live in one table here, attached to each route as
 * its `schema` when the route is declared; a route that brings its own `schema.summary` keeps it.
 *
 * zod stays the only validator: Fastify would otherwise compile `params`/`querystring`/`body`
 * schemas with ajv and coerce or strip values, so the server gets a validator compiler that
 * accepts everything. Response schemas are never set, since they would filter replies.
 */
import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { z } from 'zod';
import { auditQuery } from './routes/admin-audit.schema.ts';
import { SESSION_COOKIE } from './session-cookie.ts';

interface RouteDoc {
  summary: string;
  tags: string[];
  description?: string;
  params?: Record<string, string>;
  querystring?: object;
  /** Needs no credentials. */
  open?: boolean;
}

const report = 'Report id (number) or name in slug format, e.g. `gst-balance`';
const named = (what: string) => ({ name: `Name of the ${what}` });
const jsonSchemaOf = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-7' });

/** `METHOD path` → its description. Tags group the document: report API, admin, auth, health. */
export const routeDocs: Record<string, RouteDoc> = {
  'GET /api/call/:report/': {
    summary: 'Run a report; records as JSON (or CSV / NDJSON / XLSX by the Accept header)',
    tags: ['report API'],
    description:
      'Parameters are query-string, form or JSON-body values named like the bind variables (`_value`).',
    params: { report },
  },
  'POST /api/call/:report/': {
    summary: 'Run a report with parameters in a form or JSON body',
    tags: ['report API'],
    params: { report },
  },
  'GET /api/call/:report/:format/': {
    summary: 'Run a report in the given format (json, csv, ndjson, xlsx)',
    tags: ['report API'],
    description:
      "CSV cells that could start a spreadsheet formula get a leading `'`; send `Accept: text/csv; neutralise=false` for the raw values.",
    params: { report, format: 'json, csv or ndjson' },
  },
  'POST /api/call/:report/:format/': {
    summary: 'Run a report in the given format, parameters in the body',
    tags: ['report API'],
    params: { report, format: 'json, csv or ndjson' },
  },
  'GET /api/choices/:fieldId/': {
    summary: 'The choices of a report field, as records of value and label',
    tags: ['report API'],
    params: { fieldId: 'Report field id' },
  },
  'GET /api/server_time/': { summary: 'The current server time (UTC)', tags: ['report API'] },
  'GET /api/server_iso_time/': { summary: 'The current server time as ISO 8601', tags: ['report API'] },
  'GET /report/get/:report': {
    summary: 'The report definition, fields sorted by field_order',
    tags: ['report API'],
    params: { report },
  },
  'GET /template/:report/': {
    summary: 'A template report rendered as HTML (`?template_only=Y` for the template alone)',
    tags: ['report API'],
    params: { report },
  },
  'GET /api/admin/tokens/': { summary: 'List tokens', tags: ['admin: tokens'] },
  'POST /api/admin/tokens/': {
    summary: 'Create a token; the header is shown once',
    tags: ['admin: tokens'],
  },
  'DELETE /api/admin/tokens/:name/': {
    summary: 'Delete a token (takes effect at once)',
    tags: ['admin: tokens'],
    params: named('token'),
  },
  'GET /api/admin/connections/': { summary: 'List connections (no secrets)', tags: ['admin: connections'] },
  'POST /api/admin/connections/': { summary: 'Create a connection', tags: ['admin: connections'] },
  'PUT /api/admin/connections/:name/': {
    summary: 'Create or replace a connection',
    tags: ['admin: connections'],
    params: named('connection'),
  },
  'DELETE /api/admin/connections/:name/': {
    summary: 'Delete a connection',
    tags: ['admin: connections'],
    params: named('connection'),
  },
  'POST /api/admin/connections/:name/test/': {
    summary: 'Test a connection',
    tags: ['admin: connections'],
    params: named('connection'),
  },
  'GET /api/admin/clusters/': { summary: 'List clusters', tags: ['admin: clusters'] },
  'PUT /api/admin/clusters/:name/': {
    summary: 'Create or replace a cluster',
    tags: ['admin: clusters'],
    params: named('cluster'),
  },
  'DELETE /api/admin/clusters/:name/': {
    summary: 'Delete a cluster',
    tags: ['admin: clusters'],
    params: named('cluster'),
  },
  'GET /api/admin/reports/': { summary: 'List report definitions (editors)', tags: ['admin: reports'] },
  'POST /api/admin/reports/': { summary: 'Create a report (editors)', tags: ['admin: reports'] },
  'PUT /api/admin/reports/:report/': {
    summary: 'Replace a report (editors)',
    tags: ['admin: reports'],
    params: { report },
  },
  'DELETE /api/admin/reports/:report/': {
    summary: 'Delete a report (editors)',
    tags: ['admin: reports'],
    params: { report },
  },
  'POST /api/admin/bundle/import/': {
    summary: 'Import a bundle (YAML or JSON), idempotent by name',
    tags: ['admin: bundles'],
  },
  'GET /api/admin/bundle/export/': {
    summary: 'Export a bundle (no secrets)',
    tags: ['admin: bundles'],
    querystring: { type: 'object', properties: { format: { type: 'string', enum: ['json', 'yaml'] } } },
  },
  'GET /api/admin/audit/': {
    summary: 'Audit records, newest first (admins only)',
    tags: ['admin: audit'],
    querystring: jsonSchemaOf(auditQuery),
  },
  'GET /api/admin/users/': { summary: 'List users', tags: ['admin: users'] },
  'POST /api/admin/users/': { summary: 'Create a local user', tags: ['admin: users'] },
  'DELETE /api/admin/users/:email/': {
    summary: 'Delete a user (their reports and schedules stay)',
    tags: ['admin: users'],
    params: { email: 'The user email' },
  },
  'POST /api/admin/users/:email/refresh-groups/': {
    summary: "Refresh a user's groups",
    tags: ['admin: users'],
    params: { email: 'The user email' },
  },
  'GET /api/admin/group-lists/': { summary: 'List group lists', tags: ['admin: groups'] },
  'POST /api/admin/group-lists/': { summary: 'Create a group list', tags: ['admin: groups'] },
  'GET /api/admin/group-lists/:name/': {
    summary: 'A group list with its members',
    tags: ['admin: groups'],
    params: named('group list'),
  },
  'PUT /api/admin/group-lists/:name/': {
    summary: 'Change the description or image URL of a group list',
    tags: ['admin: groups'],
    params: named('group list'),
  },
  'DELETE /api/admin/group-lists/:name/': {
    summary: 'Delete a group list',
    tags: ['admin: groups'],
    params: named('group list'),
  },
  'POST /api/admin/group-lists/:name/members/': {
    summary: 'Add members (emails) to a group list',
    tags: ['admin: groups'],
    params: named('group list'),
  },
  'DELETE /api/admin/group-lists/:name/members/:email/': {
    summary: 'Remove a member from a group list',
    tags: ['admin: groups'],
    params: { ...named('group list'), email: 'The member email' },
  },
  'PUT /api/admin/group-lists/:name/image/': {
    summary: 'Upload the image of a group list',
    tags: ['admin: groups'],
    params: named('group list'),
  },
  'GET /api/group-images/:file': {
    summary: 'An uploaded group image',
    tags: ['report API'],
    params: { file: 'Image file name chosen by the server' },
  },
  'GET /api/admin/access-groups/': { summary: 'List access-group entries', tags: ['admin: groups'] },
  'POST /api/admin/access-groups/': {
    summary: 'Add an access-group entry (table, group, SQL where fragment)',
    tags: ['admin: groups'],
  },
  'DELETE /api/admin/access-groups/:id/': {
    summary: 'Delete an access-group entry',
    tags: ['admin: groups'],
    params: { id: 'Access-group entry id' },
  },
  'POST /auth/login': {
    summary: 'Sign in with email and password (local accounts)',
    tags: ['auth'],
    open: true,
  },
  'POST /auth/logout': { summary: 'Sign out', tags: ['auth'] },
  'GET /auth/sso': { summary: 'Start an SSO (OpenID Connect) sign-in', tags: ['auth'], open: true },
  'GET /auth/sso/callback': { summary: 'SSO redirect target', tags: ['auth'], open: true },
  'GET /api/me': { summary: 'The signed-in principal', tags: ['auth'] },
  'GET /healthz': { summary: 'Liveness', tags: ['health'], open: true },
  'GET /readyz': { summary: 'Readiness (metadata store reachable)', tags: ['health'], open: true },
  'GET /api/openapi.json': { summary: 'This OpenAPI document', tags: ['health'], open: true },
};

function paramsSchema(params: Record<string, string>) {
  const properties = Object.fromEntries(
    Object.entries(params).map(([name, description]) => [name, { type: 'string', description }]),
  );
  return { type: 'object', properties, required: Object.keys(params) };
}

function attachDoc(route: RouteOptions) {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const doc = methods.map((method) => routeDocs[`${method} ${route.url}`]).find(Boolean);
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  if (!doc || schema.summary) return;
  route.schema = {
    ...schema,
    summary: doc.summary,
    tags: doc.tags,
    ...(doc.description ? { description: doc.description } : {}),
    ...(doc.open ? { security: [] } : {}),
    ...(doc.params ? { params: paramsSchema(doc.params) } : {}),
    ...(doc.querystring ? { querystring: doc.querystring } : {}),
  };
}

function readVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Registers the document generator; call before any route is declared. */
export async function registerOpenApi(server: FastifyInstance) {
  server.setValidatorCompiler(() => () => true);
  server.addHook('onRoute', attachDoc);
  await server.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Secure Reporter',
        version: readVersion(),
        description:
          'Every JSON answer is `{"message", "ok", "records"}`. Tokens go in the Authorization header only.',
      },
      components: {
        securitySchemes: {
          basicAuth: {
            type: 'http',
            scheme: 'basic',
            description: 'A token: `Authorization: Basic base64(<name>:<secret>)`',
          },
          sessionCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: 'Browser session (HttpOnly); state-changing calls also need the CSRF token',
          },
        },
      },
      security: [{ basicAuth: [] }, { sessionCookie: [] }],
    },
  });
  server.get('/api/openapi.json', { config: { role: 'public' } }, async () => server.swagger());
}
