import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { compileErrors, validate } from '@readme/openapi-parser';
import { declaredRoutes } from '../../src/http/route-auth.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/** The fields of a token record, as the help text lists them. */
const TOKEN_FIELDS = ['active', 'age_days', 'created', 'created_by', 'expiry', 'groups', 'name'];

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
}
interface Operation {
  summary?: string;
  tags?: string[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}
type Document = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string; in?: string }> };
};

async function fetchDocument(): Promise<Document> {
  const response = await t.app.server.inject({ url: '/api/openapi.json' });
  assert.equal(response.statusCode, 200, response.body);
  assert.match(response.headers['content-type'] as string, /application\/json/);
  return JSON.parse(response.body) as Document;
}

/** Routes left out of the document on purpose: Prometheus text and the web app's pages. */
const HIDDEN = new Set(['GET /metrics', 'GET /*']);

/** POSTs that act on the resource named by the path and take no body. */
const BODILESS = [
  /^POST \/api\/admin\/connections\/\{name\}\/test\/$/,
  /^POST \/api\/admin\/reports\/\{report\}\/versions\/\{number\}\/(submit|approve|reject|promote)\/$/,
  /^POST \/api\/admin\/users\/\{email\}\/refresh-groups\/$/,
  /^POST \/api\/schedules\/\{id\}\/run-now\/$/,
  /^POST \/auth\/logout$/,
];

/** `/a/:b/` as the document writes it: `/a/{b}/`. */
const documentPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

function operations(document: Document) {
  return Object.entries(document.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]) => ({
      key: `${method.toUpperCase()} ${path}`,
      operation,
    })),
  );
}

describe('OpenAPI document', () => {
  test('is served without credentials as OpenAPI 3 with the product name and version', async () => {
    const document = await fetchDocument();
    assert.match(document.openapi, /^3\.\d+\.\d+$/);
    assert.equal(document.info.title, 'Secure Reporter');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    assert.equal(document.info.version, pkg.version);
    assert.equal(document.components.securitySchemes.basicAuth?.scheme, 'basic');
    assert.equal(document.components.securitySchemes.sessionCookie?.in, 'cookie');
  });

  test('describes the report API and the admin paths', async () => {
    const { paths } = await fetchDocument();
    for (const path of [
      '/api/call/{report}/',
      '/api/call/{report}/{format}/',
      '/report/get/{report}',
      '/api/admin/tokens/',
      '/api/admin/audit/',
      '/api/admin/reports/{report}/',
    ]) {
      assert.ok(paths[path], `missing ${path}`);
    }
    assert.ok(paths['/api/call/{report}/']?.get && paths['/api/call/{report}/']?.post);
  });

  test('every operation has a summary and tags', async () => {
    const { paths } = await fetchDocument();
    const missing: string[] = [];
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.summary || !operation.tags?.length) missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  test('validates as OpenAPI 3', async () => {
    const result = await validate(structuredClone(await fetchDocument()) as never);
    assert.ok(result.valid, result.valid ? '' : compileErrors(result));
  });

  test("holds every route of the server's route table", async () => {
    const { paths } = await fetchDocument();
    const missing = declaredRoutes(t.app.server)
      .filter((route) => route.method !== 'HEAD' && !HIDDEN.has(`${route.method} ${route.url}`))
      .filter((route) => !paths[documentPath(route.url)]?.[route.method.toLowerCase()])
      .map((route) => `${route.method} ${route.url}`);
    assert.deepEqual(missing, []);
  });

  test('every POST and PUT that takes a body documents it', async () => {
    const withoutBody = operations(await fetchDocument())
      .filter(({ key }) => /^(POST|PUT) /.test(key) && !BODILESS.some((pattern) => pattern.test(key)))
      .filter(({ operation }) => !operation.requestBody)
      .map(({ key }) => key);
    assert.deepEqual(withoutBody, []);
  });

  test('every JSON route documents its envelope with typed records, and its failures', async () => {
    // Not envelopes: probes, this document, redirects, HTML, files.
    const notEnvelopes =
      /^GET \/(healthz|readyz|api\/openapi\.json|auth\/sso.*|template\/.*|api\/group-images\/.*|api\/admin\/bundle\/export\/)$/;
    const untyped: string[] = [];
    for (const { key, operation } of operations(await fetchDocument())) {
      if (notEnvelopes.test(key)) continue;
      const [status, answer] =
        Object.entries(operation.responses ?? {}).find(([code]) => /^20[01]$/.test(code)) ?? [];
      const schema = answer?.content?.['application/json']?.schema;
      const records = schema?.properties?.records;
      const failure = operation.responses?.['4XX']?.content?.['application/json']?.schema;
      if (!status || records?.type !== 'array' || !records.items || !failure?.properties?.message)
        untyped.push(key);
    }
    assert.deepEqual(untyped, []);
  });

  test('records name their fields: a token in the list, a report definition', async () => {
    const { paths } = await fetchDocument();
    const recordOf = (operation: Operation | undefined, status = '200') =>
      operation?.responses?.[status]?.content?.['application/json']?.schema.properties?.records?.items;
    const token = recordOf(paths['/api/admin/tokens/']?.get);
    assert.deepEqual(Object.keys(token?.properties ?? {}).sort(), TOKEN_FIELDS);
    assert.ok(recordOf(paths['/api/admin/tokens/']?.post, '201')?.properties?.header);
    const report = recordOf(paths['/report/get/{report}']?.get);
    assert.equal(report?.properties?.fields?.type, 'array');
    assert.ok(report?.properties?.fields?.items?.properties?.field_order);
  });

  test('answers keep every field the services return (the serializer drops unnamed keys)', async () => {
    const answer = await t.app.server.inject({ url: '/api/me', headers: { authorization: t.adminHeader } });
    assert.equal(answer.statusCode, 200, answer.body);
    assert.deepEqual(Object.keys(answer.json().records[0]).sort(), [
      'email',
      'groups',
      'is_admin',
      'is_editor',
      'kind',
      'name',
    ]);
    const tokens = await t.app.server.inject({
      url: '/api/admin/tokens/',
      headers: { authorization: t.adminHeader },
    });
    assert.equal(tokens.statusCode, 200, tokens.body);
    assert.ok(tokens.json().records.length > 0);
    assert.deepEqual(Object.keys(tokens.json().records[0]).sort(), TOKEN_FIELDS);
  });

  test('request bodies carry their fields: a token needs name, expiry and groups', async () => {
    const { paths } = await fetchDocument();
    const body = paths['/api/admin/tokens/']?.post?.requestBody?.content['application/json']?.schema;
    assert.deepEqual(new Set(body?.required), new Set(['name', 'expiry', 'groups']));
    const report = paths['/api/admin/reports/']?.post?.requestBody?.content['application/json']?.schema;
    assert.equal(report?.properties?.fields?.type, 'array');
    const bundle = paths['/api/admin/bundle/import/']?.post?.requestBody?.content;
    assert.ok(bundle?.['application/yaml'], 'a bundle may be sent as YAML');
    const image = paths['/api/admin/group-lists/{name}/image/']?.put?.requestBody?.content;
    assert.ok(image?.['multipart/form-data'], 'a group image is uploaded as multipart');
  });

  test("an invalid body is the envelope's 400 naming the field", async () => {
    const response = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/tokens/',
      headers: { authorization: t.adminHeader },
      payload: { name: 'no-expiry', groups: ['*'] },
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), {
      message: response.json().message,
      ok: false,
      records: [],
    });
    assert.match(response.json().message, /^"expiry" is invalid: /);
  });

  test("an invalid report body keeps the report service's wording", async () => {
    const response = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/reports/',
      headers: { authorization: t.adminHeader },
      payload: { name: 'No cluster', sql: 'select 1' },
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.json().message, /^Report field "cluster" is invalid: /);
  });

  test('route schemas do not make Fastify validate or coerce: zod still answers', async () => {
    const response = await t.app.server.inject({
      url: '/api/admin/audit/?limit=5000',
      headers: { authorization: t.adminHeader },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().ok, false);
    assert.match(response.json().message, /limit/);
  });
});
