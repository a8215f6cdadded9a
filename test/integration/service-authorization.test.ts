/**
 * "Declared on the route, checked again in the service": the services are called directly, with
 * the contexts of real principals (a local user signed in with a password, tokens authenticated by
 * their secrets), so no route guard stands in front. Every admin-only read must refuse a plain
 * user, a plain token and an editor with the route guard's own message, before it looks anything
 * up; report reads must give a caller only the reports the caller may read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Principal } from '../../src/policies/principal.ts';
import { contextFor, internalContext, type RequestContext } from '../../src/services/request-context.ts';
import { ADMIN_NEEDED } from '../../src/services/role-guard.ts';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
const callers: Record<'user' | 'token' | 'editor' | 'admin', RequestContext> = {} as never;

/** The principal behind an Authorization header, as the server's own authentication makes it. */
async function principalOfHeader(header: string): Promise<Principal> {
  const [name, secret] = Buffer.from(header.replace(/^Basic /, ''), 'base64')
    .toString()
    .split(':');
  return t.app.services.tokens.authenticate(name ?? '', secret ?? '');
}

const MEMBER = 'hidden.member@example.com';

before(async () => {
  t = await createTestApp();
  const admin = internalContext(t.app.config.adminGroup);
  const { users, groupLists, accessGroups, reports } = t.app.services;
  await users.create(admin, { email: 'plain@example.com', password: 'a long enough password' });
  const signedIn = await users.signInWithPassword(
    { client: '127.0.0.1', requestId: 'test-sign-in' },
    'plain@example.com',
    'a long enough password',
  );
  callers.user = contextFor(signedIn.principal);
  callers.token = contextFor(await principalOfHeader(await createToken(t, 'plain-token', ['*'])));
  callers.editor = contextFor(await principalOfHeader(await createToken(t, 'an-editor', ['editor', '*'])));
  callers.admin = contextFor(await principalOfHeader(t.adminHeader));
  await groupLists.create(admin, { name: 'finance', image_url: 'https://example.com/finance.png' });
  await groupLists.addMember(admin, 'finance', MEMBER);
  await accessGroups.save(admin, { table: 'region', group: 'finance', where: 'id = 4242' });
  await reports.save(admin, {
    name: 'Finance only',
    cluster: 'demo',
    groups: ['finance'],
    sql: 'select 1 as one',
  });
});
after(() => t?.close());

/** Each admin-only read a route makes, called as the route would call it. */
const adminReads: Record<string, (ctx: RequestContext) => Promise<unknown>> = {
  'tokens.list': (ctx) => t.app.services.tokens.list(ctx),
  'connections.list': (ctx) => t.app.services.connections.list(ctx),
  'connections.get': (ctx) => t.app.services.connections.get(ctx, 'demo'),
  'connections.test': (ctx) => t.app.services.connections.test(ctx, 'demo'),
  'clusters.list': (ctx) => t.app.services.clusters.list(ctx),
  'clusters.get': (ctx) => t.app.services.clusters.get(ctx, 'demo'),
  'users.list': (ctx) => t.app.services.users.list(ctx),
  'groupLists.list': (ctx) => t.app.services.groupLists.list(ctx),
  'groupLists.get': (ctx) => t.app.services.groupLists.get(ctx, 'finance'),
  'accessGroups.list': (ctx) => t.app.services.accessGroups.list(ctx),
  'audit.search': (ctx) => t.app.services.audit.search(ctx, { limit: 10 }),
};

const refusedAsNonAdmin = { code: 'forbidden', message: ADMIN_NEEDED };

describe('admin-only reads refuse everyone but admins', () => {
  for (const [read, call] of Object.entries(adminReads)) {
    test(read, async () => {
      for (const who of ['user', 'token', 'editor'] as const) {
        await assert.rejects(call(callers[who]), refusedAsNonAdmin, `${read} answered a ${who}`);
      }
      // The same call works for an admin, so the refusal above is the role check, not a failure.
      await call(callers.admin);
    });
  }

  test('the role is checked before the lookup, so a missing name does not show', async () => {
    const { connections, clusters, groupLists } = t.app.services;
    for (const lookup of [
      connections.get(callers.token, 'no-such-connection'),
      connections.test(callers.token, 'no-such-connection'),
      clusters.get(callers.token, 'no-such-cluster'),
      groupLists.get(callers.token, 'no-such-list'),
    ]) {
      await assert.rejects(lookup, refusedAsNonAdmin);
    }
    await assert.rejects(groupLists.get(callers.admin, 'no-such-list'), { code: 'not_found' });
  });

  test('the admin-users, admin-tokens and admin-audit reports refuse through the runner too', async () => {
    for (const slug of ['admin-users', 'admin-tokens', 'admin-audit']) {
      await assert.rejects(t.app.services.runner.run(callers.token, slug, {}), { code: 'forbidden' });
    }
  });
});

describe('report reads give each caller what it may read', () => {
  const slugs = async (ctx: RequestContext) =>
    (await t.app.services.reports.list(ctx)).map((report) => report.slug);

  test('a plain caller lists and resolves only the reports it may run', async () => {
    for (const who of ['user', 'token'] as const) {
      const listed = await slugs(callers[who]);
      assert.ok(listed.includes('customer-by-id'), `${who} lost a report allowed for *`);
      assert.ok(!listed.includes('finance-only'), `${who} listed a report outside its groups`);
      await assert.rejects(t.app.services.reports.resolve(callers[who], 'finance-only'), {
        code: 'forbidden',
        message: 'You have no access to the report "finance-only"',
      });
    }
    const resolved = await t.app.services.reports.resolve(callers.token, 'customer-by-id');
    assert.equal(resolved.slug, 'customer-by-id');
  });

  test('editors and admins list and resolve every report', async () => {
    for (const who of ['editor', 'admin'] as const) {
      assert.ok((await slugs(callers[who])).includes('finance-only'), `${who} lost a report`);
      assert.equal((await t.app.services.reports.resolve(callers[who], 'finance-only')).slug, 'finance-only');
    }
  });
});

describe('signed-in reads return nothing admin-only', () => {
  test('group pictures carry no member emails', async () => {
    const pictures = await t.app.services.groupLists.pictures(callers.token, new Set(['finance']));
    assert.deepEqual(pictures, [
      { name: 'finance', description: '', image: 'https://example.com/finance.png' },
    ]);
    assert.ok(!JSON.stringify(pictures).includes(MEMBER));
  });

  test('sign-out refuses a token, which has no session to end', async () => {
    await assert.rejects(t.app.services.users.signOut(callers.token, 'not-a-session'), {
      code: 'bad_request',
    });
  });
});
