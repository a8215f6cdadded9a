import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

const dataDir = mkdtempSync(path.join(tmpdir(), 'sr-group-list-cli-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'group-list', ...args], {
    env: { ...process.env, DATA_DIR: dataDir, DEMO: 'false' },
    encoding: 'utf8',
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('group-list CLI', () => {
  test('create, add, remove and list through the group list service', () => {
    const created = cli('create', '--name', 'sales', '--description', 'Sales team');
    assert.equal(created.code, 0, created.err);
    assert.equal(JSON.parse(created.out).description, 'Sales team');
    assert.equal(cli('add', '--name', 'sales', '--email', 'Ann@Example.com').code, 0);
    const added = cli('add', '--name', 'sales', '--email', 'bob@example.com');
    assert.deepEqual(JSON.parse(added.out).members, ['ann@example.com', 'bob@example.com']);
    assert.equal(cli('remove', '--name', 'sales', '--email', 'bob@example.com').code, 0);
    const listed = cli('list');
    assert.equal(listed.code, 0, listed.err);
    const records = JSON.parse(listed.out).records;
    assert.deepEqual(
      records.map((list: { name: string; members: string[] }) => [list.name, list.members]),
      [['sales', ['ann@example.com']]],
    );
  });

  test('bad input exits 2, a missing list or member 3, an existing name 3', () => {
    const badName = cli('create', '--name', 'has space');
    assert.equal(badName.code, 2, badName.err);
    const badEmail = cli('add', '--name', 'sales', '--email', 'not-an-email');
    assert.equal(badEmail.code, 2);
    assert.match(badEmail.err, /"not-an-email" is not an email address/);
    assert.equal(cli('add', '--name', 'nobody', '--email', 'a@example.com').code, 3);
    assert.equal(cli('remove', '--name', 'sales', '--email', 'zed@example.com').code, 3);
    assert.equal(cli('create', '--name', 'sales').code, 3);
    const noEmail = cli('add', '--name', 'sales');
    assert.equal(noEmail.code, 2);
    assert.match(noEmail.err, /needs --email/);
    assert.equal(cli('rename').code, 2);
  });
});
