/**
 * Single sign-on against a real OpenID provider (oidc-provider) on a random local port: the whole
 * authorization code flow with plain fetch and a hand-kept cookie jar, as a browser would do it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Provider from 'oidc-provider';
import { type App, buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { internalContext } from '../../src/services/request-context.ts';
import { loadServerKey, secretBox } from '../../src/services/server-key.ts';

const CLIENT_ID = 'secure-reporter';
const CLIENT_SECRET = 'a-client-secret-that-is-long-enough-for-hs256';

let app: App;
let appUrl: string;
let issuer: string;
let dataDir: string;
/** What the provider says Dana's groups are; a test changes them between sign-in and refresh. */
let danaGroups = ['editor', 'host_1'];
let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
const idpServer = createServer((req, res) => handler?.(req, res));

before(async () => {
  await new Promise<void>((resolve) => idpServer.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(idpServer.address() as AddressInfo).port}`;
  dataDir = mkdtempSync(path.join(tmpdir(), 'sr-oidc-'));
  app = await buildApp(
    loadConfig({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      DEMO: 'false',
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_SCOPES: 'openid email groups',
    }),
  );
  appUrl = await app.server.listen({ port: 0, host: '127.0.0.1' });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${appUrl}/auth/sso/callback`],
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
      },
    ],
    // Like most providers, a refresh token for every client allowed the grant, without asking
    // for offline_access (which oidc-provider would grant only with prompt=consent).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    scopes: ['openid', 'email', 'groups'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
    cookies: { keys: ['test-only-cookie-key'] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        claims: async () => ({ sub, email: 'Dana@Example.com', groups: danaGroups }),
      };
    },
  });
  handler = provider.callback();
});

after(async () => {
  await app.close();
  await new Promise((resolve) => idpServer.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

/** One browser: a cookie jar (names are distinct between the app and the provider) and manual redirects. */
function browser() {
  const jar = new Map<string, string>();
  async function request(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const expired = attributes.some((a) => /expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  }
  return { jar, request };
}

/** Answers the provider's dev login and consent forms until it redirects back to the app. */
async function signInThroughProvider(b: ReturnType<typeof browser>, start: string): Promise<Response> {
  let response = await b.request(start);
  for (let step = 0; step < 20; step++) {
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, response.url || start).href;
      if (next.startsWith(`${appUrl}/auth/sso/callback`)) return b.request(next);
      response = await b.request(next);
      continue;
    }
    const html = await response.text();
    assert.equal(response.status, 200, html.slice(0, 500));
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(action && prompt, `a form on ${response.url}`);
    const form = new URLSearchParams({ prompt });
    if (prompt === 'login') {
      form.set('login', 'user-dana');
      form.set('password', 'anything');
    }
    response = await b.request(new URL(action, response.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
  }
  throw new Error('the provider never redirected back');
}

describe('single sign-on with a real OpenID provider', () => {
  test('the authorization code flow creates the user and a session with their groups', async () => {
    const b = browser();
    const begin = await b.request(`${appUrl}/auth/sso`);
    assert.equal(begin.status, 302);
    const authorize = new URL(begin.headers.get('location') ?? '');
    assert.equal(authorize.origin, issuer);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorize.searchParams.get('state'));
    assert.ok(authorize.searchParams.get('nonce'));
    assert.ok(b.jar.has('sr_sso_flow'), 'the flow state is kept in a cookie');

    const callback = await signInThroughProvider(b, authorize.href);
    assert.equal(callback.status, 303, await callback.clone().text());
    assert.equal(callback.headers.get('location'), '/');
    assert.match(callback.headers.getSetCookie().join('\n'), /sr_session=[^;]+;.*HttpOnly/);
    assert.ok(b.jar.has('sr_session'));
    assert.ok(!b.jar.has('sr_sso_flow'), 'the flow cookie is cleared');

    const me = await b.request(`${appUrl}/api/me`);
    assert.equal(me.status, 200);
    const record = (await me.json()).records[0];
    assert.equal(record.email, 'dana@example.com');
    assert.deepEqual(record.groups, ['*', 'editor', 'host_1']);
    assert.equal(record.is_editor, true);
    assert.equal(record.is_admin, false);
    assert.match(record.csrf_token, /^[A-Za-z0-9_-]{43}$/);

    const user = await app.store.db
      .selectFrom('app_user')
      .selectAll()
      .where('email', '=', 'dana@example.com')
      .executeTakeFirstOrThrow();
    assert.equal(user.sso_subject, 'user-dana');
    assert.equal(user.password_hash, null);
    assert.deepEqual(JSON.parse(user.sso_groups_json), ['editor', 'host_1']);
    assert.ok(user.last_login);
  });

  test('a callback without the flow cookie, or with a forged state, is refused', async () => {
    const b = browser();
    const begin = await b.request(`${appUrl}/auth/sso`);
    const authorize = begin.headers.get('location') ?? '';
    const callback = await signInThroughProvider(b, authorize).catch(() => null);
    assert.ok(callback);
    // Replaying the same callback: the flow cookie was cleared, so it cannot be used twice.
    const noFlow = await fetch(`${appUrl}/auth/sso/callback?code=x&state=y`, { redirect: 'manual' });
    assert.equal(noFlow.status, 400);
    assert.match((await noFlow.json()).message, /start the sign-in again/);

    const c = browser();
    await c.request(`${appUrl}/auth/sso`);
    const forged = await c.request(
      `${appUrl}/auth/sso/callback?code=x&state=forged&iss=${encodeURIComponent(issuer)}`,
    );
    assert.equal(forged.status, 400);
    assert.match((await forged.json()).message, /another sign-in attempt/);
    assert.ok(!c.jar.has('sr_session'));
  });
});

describe('refreshing groups', () => {
  const dana = () =>
    app.store.db
      .selectFrom('app_user')
      .selectAll()
      .where('email', '=', 'dana@example.com')
      .executeTakeFirstOrThrow();
  const refresh = async () => {
    const token = await app.services.tokens.create(internalContext(app.config.adminGroup), {
      name: `sso-admin-${Math.random().toString(36).slice(2)}`,
      expiry: '1d',
      groups: [app.config.adminGroup, '*'],
    });
    const response = await app.server.inject({
      method: 'POST',
      url: '/api/admin/users/dana@example.com/refresh-groups/',
      headers: { authorization: token.header },
    });
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as { message: string; records: Array<{ groups: string[] }> };
  };

  test("an admin's refresh reads the groups from the provider with the stored refresh token", async () => {
    danaGroups = ['editor', 'host_1'];
    await signInThroughProvider(
      browser(),
      (await browser().request(`${appUrl}/auth/sso`)).headers.get('location') ?? '',
    );
    const stored = (await dana()).sso_refresh_token;
    assert.ok(stored, 'the refresh token is kept');
    assert.doesNotMatch(stored, /^[A-Za-z0-9_-]{43}$/, 'sealed, not the raw token');

    danaGroups = ['analyst'];
    const answer = await refresh();
    assert.match(answer.message, /read from the sign-in provider/);
    assert.deepEqual(answer.records[0]?.groups, ['*', 'analyst']);
    assert.deepEqual(JSON.parse((await dana()).sso_groups_json), ['analyst']);
    danaGroups = ['editor', 'host_1'];
  });

  test('a token the provider refuses is dropped, and the answer says groups refresh at sign-in', async () => {
    // Sealed with the server key like a real one, but unknown to the provider: invalid_grant.
    const box = secretBox(loadServerKey(app.config).value);
    for (const token of [box.seal('revoked-or-unknown-token'), 'not-sealed-with-this-key']) {
      await app.store.db.updateTable('app_user').set({ sso_refresh_token: token }).execute();
      const refused = await refresh();
      assert.match(refused.message, /refused the stored refresh token; .* refresh at the next/);
      assert.equal((await dana()).sso_refresh_token, null);
    }
    const without = await refresh();
    assert.match(without.message, /sent at the last sign-in and refresh at the next one/);
    assert.deepEqual(without.records[0]?.groups, ['*', 'analyst']);
  });
});

describe('without SSO configured', () => {
  test('/auth/sso says so', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sr-nosso-'));
    const plain = await buildApp(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', DEMO: 'false' }));
    try {
      const response = await plain.server.inject({ url: '/auth/sso' });
      assert.equal(response.statusCode, 404);
      assert.match(response.json().message, /not configured/);
    } finally {
      await plain.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
