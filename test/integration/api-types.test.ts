/**
 * The web app's API types are generated from the server's OpenAPI document; these tests prove the
 * checked-in copy is current and that the check notices a drift.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { generateApiContract, staleFiles } from '../../scripts/generate-api-types.ts';

let files: Map<string, string>;
const scratch = mkdtempSync(path.join(tmpdir(), 'api-types-'));

before(async () => {
  files = await generateApiContract();
});
after(() => rmSync(scratch, { recursive: true, force: true }));

test('the checked-in document and types match what the server produces', () => {
  assert.deepEqual(staleFiles(files), []);
});

test('the types describe the routes the web app calls, with their path parameters', () => {
  const types = files.get('web/src/api-schema.ts') ?? '';
  assert.match(types, /^export interface paths \{/m);
  assert.match(types, /'\/api\/admin\/tokens\/\{name\}\/': \{/);
  assert.match(types, /'\/api\/reports\/\{report\}\/comments\/\{id\}\/': \{/);
  const document = JSON.parse(files.get('web/openapi.json') ?? '{}');
  assert.equal(document.info.title, 'Secure Reporter');
});

test('a changed or missing generated file is reported as stale', () => {
  mkdirSync(path.join(scratch, 'web', 'src'), { recursive: true });
  for (const [file, contents] of files) writeFileSync(path.join(scratch, file), contents);
  assert.deepEqual(staleFiles(files, scratch), []);
  writeFileSync(
    path.join(scratch, 'web/src/api-schema.ts'),
    `${files.get('web/src/api-schema.ts')}// edited\n`,
  );
  assert.deepEqual(staleFiles(files, scratch), ['web/src/api-schema.ts']);
  rmSync(path.join(scratch, 'web/openapi.json'));
  assert.deepEqual(staleFiles(files, scratch), ['web/openapi.json', 'web/src/api-schema.ts']);
});
