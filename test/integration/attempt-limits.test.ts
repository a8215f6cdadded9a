/**
 * Failed-attempt limits never refuse a valid token: the credential is checked first, and only a
 * wrong one is counted, per client address and per token name; over a limit a wrong one gets
 * 429 with Retry-After. Password sign-ins lock per address and per email, right password or not.
 * Addresses are varied as a proxy would send them (TRUST_PROXY and X-Forwarded-For).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp({ TRUST_PROXY: 'true' });
});
after(() => t.close());

const basic = (name: string, secret: string) =>
  `Basic ${Buffer.from(`${name}:${secret}`).toString('base64')}`;
const WRONG_SECRET = '00000000-0000-4000-8000-000000000000';

const me = (authorization: string, address: string) =>
  t.app.server.inject({ url: '/api/me', headers: { authorization, 'x-forwarded-for': address } });

async function statuses(count: number, attempt: (i: number) => Promise<{ statusCode: number }>) {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await attempt(i)).statusCode);
  return seen;
}

function assertRetryAfter(response: Awaited<ReturnType<typeof me>>, maxSeconds: number) {
  assert.equal(response.statusCode, 429, response.body);
  const seconds = Number(response.headers['retry-after']);
  assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= maxSeconds, `Retry-After ${seconds}`);
  assert.match(response.json().message, new RegExp(`try again in ${seconds} s`));
}

describe('token failure limits', () => {
  test('a blocked address: a correct token is accepted, a wrong one gets 429 + Retry-After', async () => {
    const valid = await createToken(t, 'nat-job', ['*']);
    // Ten stale guesses, each for another name, so only the address counter fills.
    const address = '203.0.113.10';
    const guesses = await statuses(10, (i) => me(basic(`stale-${i}`, WRONG_SECRET), address));
    assert.deepEqual(guesses, Array(10).fill(401));
    assertRetryAfter(await me(basic('stale-x', WRONG_SECRET), address), 300);
    const accepted = await me(valid, address);
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.equal(accepted.json().records[0].name, 'nat-job');
    assertRetryAfter(await me(basic('nat-job', WRONG_SECRET), address), 300);
    // A malformed header from the blocked address is a wrong credential too.
    assertRetryAfter(await me('Basic !!!', address), 300);
  });

  test('a blocked address gets the same answer for a known and an unknown name', async () => {
    await createToken(t, 'known-name', ['*']);
    const address = '203.0.113.20';
    await statuses(10, (i) => me(basic(`probe-${i}`, WRONG_SECRET), address));
    const known = await me(basic('known-name', WRONG_SECRET), address);
    const unknown = await me(basic('unknown-name', WRONG_SECRET), address);
    assertRetryAfter(known, 300);
    assertRetryAfter(unknown, 300);
    assert.equal(known.body, unknown.body);
  });

  test('a name is limited across addresses; its correct token and other names are not', async () => {
    const valid = await createToken(t, 'shared-name', ['*']);
    const spread = await statuses(10, (i) => me(basic('shared-name', WRONG_SECRET), `198.51.100.${i}`));
    assert.deepEqual(spread, Array(10).fill(401));
    assertRetryAfter(await me(basic('shared-name', WRONG_SECRET), '198.51.100.200'), 300);
    // Case and NFKC variants are the same name, hence the same counter.
    assertRetryAfter(await me(basic('SHARED-NAME', WRONG_SECRET), '198.51.100.201'), 300);
    assert.equal((await me(valid, '198.51.100.202')).statusCode, 200);
    assert.equal((await me(basic('other-name', WRONG_SECRET), '198.51.100.203')).statusCode, 401);
    // An unknown name is counted the same way, so the per-name 429 does not reveal existence.
    await statuses(10, (i) => me(basic('never-created', WRONG_SECRET), `198.51.101.${i}`));
    assertRetryAfter(await me(basic('never-created', WRONG_SECRET), '198.51.101.200'), 300);
  });

  test('the right secret of an expired token is not counted as a guess', async () => {
    const expired = await createToken(t, 'expired-job', ['*']);
    await t.app.store.db
      .updateTable('token')
      .set({ expires_at: '2020-01-01T00:00:00.000Z' })
      .where('name', '=', 'expired-job')
      .execute();
    const seen = await statuses(12, () => me(expired, '203.0.113.30'));
    assert.deepEqual(seen, Array(12).fill(401));
    assert.equal((await me(basic('expired-job', WRONG_SECRET), '203.0.113.30')).statusCode, 401);
  });
});

describe('password sign-in limits', () => {
  const PASSWORD = 'the right password';
  const login = (email: string, password: string, address: string) =>
    t.app.server.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'x-forwarded-for': address },
      payload: { email, password },
    });

  test('after five failures for an email even the right password waits, with Retry-After', async () => {
    const created = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/users/',
      headers: { authorization: t.adminHeader },
      payload: { email: 'mia@example.com', password: PASSWORD },
    });
    assert.equal(created.statusCode, 201, created.body);
    const failures = await statuses(5, (i) => login('mia@example.com', 'guess', `192.0.2.${i}`));
    assert.deepEqual(failures, Array(5).fill(401));
    // Passwords are guessable: letting the right one through would tell a guesser it was right.
    assertRetryAfter(await login('mia@example.com', PASSWORD, '192.0.2.100'), 900);
    assertRetryAfter(await login('mia@example.com', 'guess', '192.0.2.101'), 900);
  });

  test('twenty failures from one address block that address for every email', async () => {
    const address = '192.0.2.200';
    const spray = await statuses(20, (i) => login(`user${i}@example.com`, 'guess', address));
    assert.deepEqual(spray, Array(20).fill(401));
    assertRetryAfter(await login('someone@example.com', 'guess', address), 900);
    assert.equal((await login('someone@example.com', 'guess', '192.0.2.201')).statusCode, 401);
  });
});
