import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { cli as runCli } from '../helpers/cli.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'sr-group-list-cli-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli(['group-list', ...args], { DATA_DIR: dataDir, DEMO: 'false' });

describe('group-list CLI', () => {
  test('create, add, remove and list through the group list service', async () => {
    const created = await cli('create', '--name', 'sales', '--description', 'Sales team');
    assert.equal(created.code, 0, created.err);
    assert.equal(JSON.parse(created.out).description, 'Sales team');
    assert.equal((await cli('add', '--name', 'sales', '--email', 'Ann@Example.com')).code, 0);
    const added = await cli('add', '--name', 'sales', '--email', 'bob@example.com');
    assert.deepEqual(JSON.parse(added.out).members, ['ann@example.com', 'bob@example.com']);
    assert.equal((await cli('remove', '--name', 'sales', '--email', 'bob@example.com')).code, 0);
    const listed = await cli('list');
    assert.equal(listed.code, 0, listed.err);
    const records = JSON.parse(listed.out).records;
    assert.deepEqual(
      records.map((list: { name: string; members: string[] }) => [list.name, list.members]),
      [['sales', ['ann@example.com']]],
    );
  });

  test('bad input exits 2, a missing list or member 3, an existing name 3', async () => {
    const badName = await cli('create', '--name', 'has space');
    assert.equal(badName.code, 2, badName.err);
    const badEmail = await cli('add', '--name', 'sales', '--email', 'not-an-email');
    assert.equal(badEmail.code, 2);
    assert.match(badEmail.err, /"not-an-email" is not an email address/);
    assert.equal((await cli('add', '--name', 'nobody', '--email', 'a@example.com')).code, 3);
    assert.equal((await cli('remove', '--name', 'sales', '--email', 'zed@example.com')).code, 3);
    assert.equal((await cli('create', '--name', 'sales')).code, 3);
    const noEmail = await cli('add', '--name', 'sales');
    assert.equal(noEmail.code, 2);
    assert.match(noEmail.err, /needs --email/);
    assert.equal((await cli('rename')).code, 2);
  });
});
