/**
 * Token names are ASCII letters, digits, `.`, `_`, `-` after NFKC, compared case-insensitively:
 * look-alikes of `api.user` and of existing names are refused at create (HTTP and CLI) and at use,
 * and a token stored before with upper-case letters still authenticates under its own spelling.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { cli as runCli } from '../helpers/cli.ts';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

const ZWJ = '\u200d';
const CYRILLIC_A = '\u0430';
const basic = (name: string, secret: string) =>
  `Basic ${Buffer.from(`${name}:${secret}`).toString('base64')}`;
const secretOf = (header: string) =>
  Buffer.from(header.replace('Basic ', ''), 'base64').toString().split(':')[1] ?? '';

const create = (name: string) =>
  t.app.server.inject({
    method: 'POST',
    url: '/api/admin/tokens/',
    headers: { authorization: t.adminHeader },
    payload: { name, groups: ['*'], expiry: '1d' },
  });
const me = (authorization: string) => t.app.server.inject({ url: '/api/me', headers: { authorization } });

function assertStatus(response: Awaited<ReturnType<typeof me>>, status: number, message?: RegExp) {
  assert.equal(response.statusCode, status, response.body);
  if (message) assert.match(response.json().message, message);
}

describe('token names over HTTP', () => {
  test('look-alikes of api.user are refused at create, each with the reason', async () => {
    assertStatus(await create('API.USER'), 400, /reserved/);
    assertStatus(await create('\uff41\uff50\uff49.\uff55\uff53\uff45\uff52'), 400, /reserved/); // full-width
    assertStatus(await create(`api${ZWJ}.user`), 400, /invisible.*U\+200D/);
    assertStatus(await create(`${CYRILLIC_A}pi.user`), 400, /U\+0430.*only ASCII letters/);
    assertStatus(await create('api.user '), 400, /U\+0020/);
    assertStatus(await create('team@example'), 400, /"@".*letters a-z, digits/);
    assertStatus(await create(''), 400, /give the token a name/);
    assert.equal((await t.app.store.db.selectFrom('token').select('name').execute()).length, 1);
  });

  test('names are stored in lower case and a name differing only in case is a conflict', async () => {
    const header = await createToken(t, 'Build.Bot_1', ['*']);
    assert.match(Buffer.from(header.replace('Basic ', ''), 'base64').toString(), /^build\.bot_1:/);
    const names = await t.app.store.db.selectFrom('token').select('name').execute();
    assert.ok(names.some((row) => row.name === 'build.bot_1'));
    assertStatus(await create('BUILD.BOT_1'), 409, /already exists/);
  });

  test('at use: any case of the name works, look-alikes and api.user do not', async () => {
    const header = await createToken(t, 'report-feed', ['*']);
    const secret = secretOf(header);
    const upper = await me(basic('REPORT-FEED', secret));
    assertStatus(upper, 200);
    assert.equal(upper.json().records[0].name, 'report-feed');
    assertStatus(await me(basic(`report${ZWJ}-feed`, secret)), 401, /not valid/);
    assertStatus(await me(basic(`rep${String.fromCharCode(0x043e)}rt-feed`, secret)), 401, /not valid/);
    assertStatus(await me(basic('API.USER', 'anything')), 401, /not valid/);
  });

  test('a token stored before, with upper case, still authenticates and keeps its spelling', async () => {
    const secret = '11111111-2222-4333-8444-555555555555';
    await t.app.store.db
      .insertInto('token')
      .values({
        name: 'Legacy.Job',
        secret_hash: createHash('sha256').update(secret).digest('hex'),
        groups_json: '["*"]',
        created_by: 'demo-admin',
        created_at: new Date().toISOString(),
        expires_at: new Date(Date.now() + 86_400_000).toISOString(),
      })
      .execute();
    for (const spelling of ['Legacy.Job', 'legacy.job', 'LEGACY.JOB']) {
      const response = await me(basic(spelling, secret));
      assertStatus(response, 200);
      // Schedules and audit records name the token as stored.
      assert.equal(response.json().records[0].name, 'Legacy.Job');
    }
    assertStatus(await create('legacy.job'), 409, /already exists/);
    const deleted = await t.app.server.inject({
      method: 'DELETE',
      url: '/api/admin/tokens/legacy.job/',
      headers: { authorization: t.adminHeader },
    });
    assertStatus(deleted, 200);
    assertStatus(await me(basic('Legacy.Job', secret)), 401);
  });

  test('the lower-case lookup is indexed (migration 0010)', async () => {
    const { rows } = await sql<{ name: string }>`
      select name from sqlite_master where type = 'index' and tbl_name = 'token'`.execute(t.app.store.db);
    assert.ok(rows.some((row) => row.name === 'token_name_key_idx'));
  });
});

describe('token names through the CLI', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sr-token-cli-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const cli = (...args: string[]) => runCli(['token', ...args], { DATA_DIR: dataDir, DEMO: 'false' });
  const createArgs = (name: string) => ['create', '--name', name, '--expiry', '1d', '--groups', '*'];

  test('look-alikes exit 2 with the reason; a good name is stored in lower case', async () => {
    const reserved = await cli(...createArgs('Api.User'));
    assert.equal(reserved.code, 2, reserved.err);
    assert.match(reserved.err, /reserved/);
    const joiner = await cli(...createArgs(`api${ZWJ}.user`));
    assert.equal(joiner.code, 2);
    assert.match(joiner.err, /U\+200D/);
    const cyrillic = await cli(...createArgs(`${CYRILLIC_A}pi.user`));
    assert.equal(cyrillic.code, 2);
    assert.match(cyrillic.err, /only ASCII letters/);
    const created = await cli(...createArgs('Nightly.Export'));
    assert.equal(created.code, 0, created.err);
    assert.equal(JSON.parse(created.out).name, 'nightly.export');
    assert.equal((await cli(...createArgs('NIGHTLY.export'))).code, 3, 'same name in another case: conflict');
  });
});
