/**
 * The original help text's Python example, run as written with `requests` against the server that
 * `npm start` starts: a GET with the Basic header and a form body, by id and by slug.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { unavailable } from '../helpers/skip-or-fail.ts';

const hasRequests = spawnSync('python3', ['-c', 'import requests']).status === 0;
if (!hasRequests) unavailable('python3 with the requests package is not installed');

const example = `
import json, sys, requests
base, header, report_id = sys.argv[1], sys.argv[2], sys.argv[3]
response = requests.get(
  f"{base}/api/call/{report_id}/",
  headers={"Authorization": header},
  data={
    "_select_test_one": 1,
  },
)
print(json.dumps({"status": response.status_code, "body": response.json()}))
`;

let server: ServerProcess;
before(async () => {
  if (hasRequests) server = await startServerProcess();
});
after(() => server?.stop());

function runExample(reportId: string) {
  const output = execFileSync('python3', ['-c', example, server.url, server.adminHeader, reportId], {
    encoding: 'utf8',
  });
  return JSON.parse(output) as { status: number; body: { message: string; ok: boolean; records: unknown[] } };
}

test('requests.get with data={...} gets the envelope, by slug and by id', {
  skip: !hasRequests,
}, async () => {
  const bySlug = runExample('select-test');
  assert.equal(bySlug.status, 200);
  assert.equal(bySlug.body.message, '');
  assert.equal(bySlug.body.ok, true);
  assert.equal(bySlug.body.records.length, 1);
  assert.equal((bySlug.body.records[0] as { id: number }).id, 1);
  const definition = await fetch(`${server.url}/report/get/select-test/`, {
    headers: { authorization: server.adminHeader },
  });
  const id = ((await definition.json()) as { records: { id: number }[] }).records[0]?.id;
  const byId = runExample(String(id));
  assert.deepEqual(byId, bySlug);
});
