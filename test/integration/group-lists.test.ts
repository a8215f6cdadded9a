import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

/** A real 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

let t: TestApp;
let plain: string;
before(async () => {
  t = await createTestApp();
  plain = await createToken(t, 'plain', ['*']);
});
after(() => t.close());

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const call = (method: Method, url: string, payload?: object, authorization = t.adminHeader) =>
  t.app.server.inject({ method, url, headers: { authorization }, payload });

function upload(name: string, filename: string, bytes: Buffer, authorization = t.adminHeader) {
  const boundary = `----sr${Date.now()}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return t.app.server.inject({
    method: 'PUT',
    url: `/api/admin/group-lists/${name}/image/`,
    headers: { authorization, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload,
  });
}

const imageDir = () => path.join(t.dataDir, 'uploads', 'group-images');

describe('group lists', () => {
  test('create, read, update, list and delete', async () => {
    const created = await call('POST', '/api/admin/group-lists/', {
      name: 'sales-emea',
      description: 'EMEA',
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(
      { ...created.json().records[0], created: undefined, updated: undefined },
      {
        name: 'sales-emea',
        description: 'EMEA',
        image_url: null,
        image: null,
        members: [],
        created: undefined,
        updated: undefined,
      },
    );
    assert.equal((await call('POST', '/api/admin/group-lists/', { name: 'sales-emea' })).statusCode, 409);
    for (const name of ['has space', 'semi;colon', 'ünï', '']) {
      const bad = await call('POST', '/api/admin/group-lists/', { name });
      assert.equal(bad.statusCode, 400, `${name}: ${bad.body}`);
    }
    const updated = await call('PUT', '/api/admin/group-lists/sales-emea/', {
      description: 'Europe',
      image_url: 'https://example.com/emea.png',
    });
    assert.equal(updated.statusCode, 200, updated.body);
    assert.equal(updated.json().records[0].description, 'Europe');
    assert.equal(updated.json().records[0].image_url, 'https://example.com/emea.png');
    const script = await call('PUT', '/api/admin/group-lists/sales-emea/', {
      image_url: 'javascript:alert(1)',
    });
    assert.equal(script.statusCode, 400);
    const got = await call('GET', '/api/admin/group-lists/sales-emea/');
    assert.equal(got.json().records[0].description, 'Europe');
    await call('POST', '/api/admin/group-lists/', { name: 'temp' });
    const names = (await call('GET', '/api/admin/group-lists/'))
      .json()
      .records.map((g: { name: string }) => g.name);
    assert.deepEqual(names, ['sales-emea', 'temp']);
    assert.equal((await call('DELETE', '/api/admin/group-lists/temp/')).statusCode, 200);
    assert.equal((await call('GET', '/api/admin/group-lists/temp/')).statusCode, 404);
    const audits = await t.app.store.db
      .selectFrom('audit')
      .select('action')
      .where('action', 'like', 'group_list.%')
      .execute();
    assert.deepEqual(
      audits.map((a) => a.action),
      ['group_list.create', 'group_list.update', 'group_list.create', 'group_list.delete'],
    );
  });

  test('members are added lower-cased, removed, and validated', async () => {
    const added = await call('POST', '/api/admin/group-lists/sales-emea/members/', {
      email: ' Alice@Example.COM ',
    });
    assert.equal(added.statusCode, 201, added.body);
    await call('POST', '/api/admin/group-lists/sales-emea/members/', { email: 'bob@example.com' });
    const again = await call('POST', '/api/admin/group-lists/sales-emea/members/', {
      email: 'alice@example.com',
    });
    assert.deepEqual(again.json().records[0].members, ['alice@example.com', 'bob@example.com']);
    for (const email of ['not-an-email', 'a@b', '<x>@example.com']) {
      const bad = await call('POST', '/api/admin/group-lists/sales-emea/members/', { email });
      assert.equal(bad.statusCode, 400, `${email}: ${bad.body}`);
      assert.match(bad.json().message, /email/);
    }
    await call('POST', '/api/admin/group-lists/', { name: 'support' });
    await call('POST', '/api/admin/group-lists/support/members/', { email: 'alice@example.com' });
    assert.deepEqual(await t.app.services.groupLists.groupsContaining('ALICE@example.com'), [
      'sales-emea',
      'support',
    ]);
    const removed = await call('DELETE', '/api/admin/group-lists/support/members/Alice%40example.com/');
    assert.equal(removed.statusCode, 200, removed.body);
    assert.deepEqual(removed.json().records[0].members, []);
    assert.equal(
      (await call('DELETE', '/api/admin/group-lists/support/members/alice%40example.com/')).statusCode,
      404,
    );
    assert.deepEqual(await t.app.services.groupLists.groupsContaining('alice@example.com'), ['sales-emea']);
    assert.equal(
      (await call('POST', '/api/admin/group-lists/nope/members/', { email: 'a@example.com' })).statusCode,
      404,
    );
  });

  test('an uploaded PNG is stored and served with safe headers; a replacement removes the old file', async () => {
    const response = await upload('sales-emea', 'logo.png', PNG);
    assert.equal(response.statusCode, 200, response.body);
    const image: string = response.json().records[0].image;
    assert.match(image, /^\/api\/group-images\/[0-9a-f]{32}\.png$/);
    const served = await call('GET', image, undefined, plain);
    assert.equal(served.statusCode, 200, served.body);
    assert.equal(served.headers['content-type'], 'image/png');
    assert.equal(served.headers['x-content-type-options'], 'nosniff');
    assert.equal(served.headers['content-security-policy'], "default-src 'none'; sandbox");
    assert.equal(served.headers['content-disposition'], 'inline');
    assert.deepEqual(served.rawPayload, PNG);
    assert.equal((await t.app.server.inject({ url: image })).statusCode, 401);

    const replaced = await upload('sales-emea', 'logo.gif', GIF);
    assert.equal(replaced.statusCode, 200, replaced.body);
    const next: string = replaced.json().records[0].image;
    assert.match(next, /\.gif$/);
    assert.equal((await call('GET', image, undefined, plain)).statusCode, 404);
    assert.deepEqual(readdirSync(imageDir()), [path.basename(next)]);
    assert.equal((await call('GET', next)).headers['content-type'], 'image/gif');
  });

  test('SVG, HTML, unknown bytes and oversized files are refused', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const html = Buffer.from('<!doctype html><script>alert(1)</script>');
    for (const [filename, bytes] of [
      ['x.svg', svg],
      ['x.png', svg],
      ['x.html', PNG],
      ['x.png', html],
      ['x.png', Buffer.from('hello')],
    ] as const) {
      const refused = await upload('sales-emea', filename, bytes);
      assert.equal(refused.statusCode, 400, `${filename}: ${refused.body}`);
      assert.match(refused.json().message, /image/);
    }
    const big = Buffer.concat([PNG, Buffer.alloc(600 * 1024)]);
    const tooLarge = await upload('sales-emea', 'big.png', big);
    assert.equal(tooLarge.statusCode, 413, tooLarge.body);
    assert.match(tooLarge.json().message, /512 KiB/);
    assert.equal(readdirSync(imageDir()).length, 1, 'nothing refused was stored');
  });

  test('only names the server stored are served: no traversal', async () => {
    const key = path.join(t.dataDir, 'server.key');
    for (const name of [
      '..%2F..%2Fsecure-reporter.sqlite',
      '%2e%2e%2fserver.key',
      '..%5Cserver.key',
      `${'0'.repeat(32)}.png`,
      'logo.png',
      encodeURIComponent(key),
    ]) {
      const response = await call('GET', `/api/group-images/${name}`, undefined, plain);
      assert.equal(response.statusCode, 404, `${name}: ${response.body}`);
      assert.equal(response.json().ok, false);
    }
    const other = await call('GET', '/api/group-images/../../secure-reporter.sqlite', undefined, plain);
    assert.notEqual(other.statusCode, 200);
  });

  test('a non-admin token gets 403 on every admin route', async () => {
    const routes: Array<[Method, string, object?]> = [
      ['GET', '/api/admin/group-lists/'],
      ['POST', '/api/admin/group-lists/', { name: 'mine' }],
      ['GET', '/api/admin/group-lists/sales-emea/'],
      ['PUT', '/api/admin/group-lists/sales-emea/', { description: 'x' }],
      ['DELETE', '/api/admin/group-lists/sales-emea/'],
      ['POST', '/api/admin/group-lists/sales-emea/members/', { email: 'me@example.com' }],
      ['DELETE', '/api/admin/group-lists/sales-emea/members/alice%40example.com/'],
    ];
    for (const [method, url, payload] of routes) {
      const response = await call(method, url, payload, plain);
      assert.equal(response.statusCode, 403, `${method} ${url}`);
    }
    assert.equal((await upload('sales-emea', 'x.png', PNG, plain)).statusCode, 403);
    const list = await call('GET', '/api/admin/group-lists/sales-emea/');
    assert.deepEqual(list.json().records[0].members, ['alice@example.com', 'bob@example.com']);
  });

  test('bundles carry group lists and access groups, and import them idempotently', async () => {
    await call('POST', '/api/admin/access-groups/', {
      table: 'game',
      group: 'sales-emea',
      where: 'host_id=1',
    });
    const exported = await call('GET', '/api/admin/bundle/export/?format=json');
    const bundle = JSON.parse(exported.body);
    assert.deepEqual(
      bundle.group_lists.find((g: { name: string }) => g.name === 'sales-emea'),
      {
        name: 'sales-emea',
        description: 'Europe',
        image_url: 'https://example.com/emea.png',
        members: ['alice@example.com', 'bob@example.com'],
      },
    );
    assert.deepEqual(bundle.access_groups, [{ table: 'game', group: 'sales-emea', where: 'host_id=1' }]);
    await call('DELETE', '/api/admin/group-lists/sales-emea/');
    const list = await call('GET', '/api/admin/access-groups/');
    await call('DELETE', `/api/admin/access-groups/${list.json().records[0].id}/`);
    await call('POST', '/api/admin/group-lists/', { name: 'support', description: 'changed' });
    for (let round = 0; round < 2; round++) {
      const imported = await call('POST', '/api/admin/bundle/import/', bundle);
      assert.equal(imported.statusCode, 200, imported.body);
      assert.equal(imported.json().records[0].group_lists, 2);
    }
    const after = (await call('GET', '/api/admin/group-lists/')).json().records;
    assert.deepEqual(
      after.map((g: { name: string; members: string[] }) => [g.name, g.members]),
      [
        ['sales-emea', ['alice@example.com', 'bob@example.com']],
        ['support', []],
      ],
    );
    const entries = (await call('GET', '/api/admin/access-groups/')).json().records;
    assert.deepEqual(
      entries.map((e: { table: string; group: string; where: string }) => [e.table, e.group, e.where]),
      [['game', 'sales-emea', 'host_id=1']],
    );
    const badMember = structuredClone(bundle);
    badMember.group_lists[0].members = ['nope'];
    const refused = await call('POST', '/api/admin/bundle/import/', badMember);
    assert.equal(refused.statusCode, 400);
    assert.match(refused.json().message, /Group list "sales-emea"/);
  });
});
