import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

interface Operation {
  summary?: string;
  tags?: string[];
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
