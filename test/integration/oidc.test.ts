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

const CLIENT_ID = 'secure-reporter';
const CLIENT_SECRET = 'a-client-secret-that-is-long-enough-for-hs256';

let app: App;
let appUrl: string;
let issuer: string;
let dataDir: string;
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
      },
    ],
    scopes: ['openid', 'email', 'groups'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
    cookies: { keys: ['test-only-cookie-key'] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        claims: async () => ({ sub, email: 'Dana@Example.com', groups: ['editor', 'host_1'] }),
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
