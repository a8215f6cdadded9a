/**
 * Sign-in from other sites (login CSRF): `POST /auth/login` takes JSON only, and refuses a browser
 * request whose Origin or Sec-Fetch-Site says it comes from elsewhere — even with the right
 * password, and without setting a cookie.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const EMAIL = 'lena@example.com';
const PASSWORD = 'a long enough password';

let t: TestApp;
let behindPublicUrl: TestApp;

async function createUser(app: TestApp) {
  const response = await app.app.server.inject({
    method: 'POST',
    url: '/api/admin/users/',
    headers: { authorization: app.adminHeader },
    payload: { email: EMAIL, password: PASSWORD },
  });
  assert.equal(response.statusCode, 201, response.body);
}

before(async () => {
  t = await createTestApp();
  behindPublicUrl = await createTestApp({ PUBLIC_URL: 'https://reports.example.com' });
  await createUser(t);
  await createUser(behindPublicUrl);
});
after(async () => {
  await t.close();
  await behindPublicUrl.close();
});

const json = JSON.stringify({ email: EMAIL, password: PASSWORD });

function login(headers: Record<string, string>, payload: string = json, app = t) {
  return app.app.server.inject({
    method: 'POST',
    url: '/auth/login',
    headers: { 'content-type': 'application/json', ...headers },
    payload,
  });
}

function assertRefused(response: Awaited<ReturnType<typeof login>>, status: number, message: RegExp) {
  assert.equal(response.statusCode, status, response.body);
  assert.match(response.json().message, message);
  assert.equal(response.headers['set-cookie'], undefined, 'no session cookie is set');
}

describe('sign-in from other sites', () => {
  test('the bodies a cross-site HTML form can send are refused with 415', async () => {
    const form = `email=${encodeURIComponent(EMAIL)}&password=${encodeURIComponent(PASSWORD)}`;
    assertRefused(
      await login({ 'content-type': 'application/x-www-form-urlencoded' }, form),
      415,
      /JSON body.*"application\/x-www-form-urlencoded"/,
    );
    // A text/plain form can smuggle a JSON-looking body (`{"email":…,"x":"=…"}`).
    assertRefused(await login({ 'content-type': 'text/plain' }, json), 415, /"text\/plain"/);
    const boundary = 'sr-boundary';
    const multipart = [
      `--${boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\n${EMAIL}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="password"\r\n\r\n${PASSWORD}\r\n`,
      `--${boundary}--\r\n`,
    ].join('');
    assertRefused(
      await login({ 'content-type': `multipart/form-data; boundary=${boundary}` }, multipart),
      415,
      /"multipart\/form-data"/,
    );
  });

  test('an Origin of another site, or the opaque "null", is refused with 403', async () => {
    assertRefused(await login({ origin: 'https://evil.example' }), 403, /another site.*evil\.example/);
    assertRefused(await login({ origin: 'null' }), 403, /another site/);
    // Same host name, another port: another origin.
    assertRefused(await login({ origin: 'http://localhost:8081' }), 403, /another site/);
  });

  test('a Sec-Fetch-Site other than same-origin or none is refused with 403', async () => {
    assertRefused(await login({ 'sec-fetch-site': 'cross-site' }), 403, /Sec-Fetch-Site: cross-site/);
    // A sibling subdomain is same-site but not same-origin, and may be run by someone else.
    assertRefused(await login({ 'sec-fetch-site': 'same-site' }), 403, /Sec-Fetch-Site: same-site/);
  });

  test('the app’s own sign-in (same origin) and non-browser clients still work', async () => {
    // inject() addresses the server as localhost:80, which is what the browser's Origin says.
    const fromApp = await login({ origin: 'http://localhost', 'sec-fetch-site': 'same-origin' });
    assert.equal(fromApp.statusCode, 200, fromApp.body);
    assert.ok(fromApp.cookies.some((cookie) => cookie.name === 'sr_session'));
    assert.equal((await login({ 'sec-fetch-site': 'none' })).statusCode, 200);
    assert.equal((await login({})).statusCode, 200, 'a script sends neither header');
  });

  test('with PUBLIC_URL the Origin must be exactly that origin', async () => {
    const own = await login({ origin: 'https://reports.example.com' }, json, behindPublicUrl);
    assert.equal(own.statusCode, 200, own.body);
    assertRefused(
      await login({ origin: 'http://reports.example.com' }, json, behindPublicUrl),
      403,
      /another site/,
    );
    assertRefused(await login({ origin: 'http://localhost' }, json, behindPublicUrl), 403, /another site/);
  });
});
