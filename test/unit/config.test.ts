import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

/** The problems loadConfig reports for `env`, or [] when it accepts it. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ DATA_DIR: '/tmp/sr-config-test', ...env });
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
}

describe('configuration', () => {
  test('defaults load', () => {
    const config = loadConfig({ DATA_DIR: '/tmp/sr-config-test' });
    assert.equal(config.port, 8080);
    assert.equal(config.mailFrom, 'Secure Reporter <reports@localhost>');
    assert.equal(config.secretKeySource, undefined);
  });

  test('every bad variable is named in one error, schema and cross checks alike', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      CUSTOM_FEATURES: 'audit,bogus',
      MAIL_FROM: 'notanaddress',
      CUSTOM_ADMIN_USERS: 'ann@example.com,not-an-email',
      CUSTOM_MAIL_DOMAINS: 'example.com,exa mple.com',
      DATABASE_URL: 'mysql://x',
      SMTP_URL: 'http://mail',
      OIDC_CLIENT_ID: 'client',
      SECRET_KEY_FILE: '/no/such/key',
    });
    const named = (variable: string) => problems.filter((problem) => problem.startsWith(`${variable}`));
    for (const variable of [
      'PORT',
      'CUSTOM_FEATURES',
      'MAIL_FROM',
      'CUSTOM_ADMIN_USERS',
      'CUSTOM_MAIL_DOMAINS',
      'DATABASE_URL',
      'SMTP_URL',
      'OIDC_ISSUER and OIDC_CLIENT_ID',
      'SECRET_KEY_FILE',
    ]) {
      assert.equal(named(variable).length, 1, `${variable} in ${problems.join('\n')}`);
    }
    assert.match(named('CUSTOM_FEATURES')[0] ?? '', /"bogus" is not a known feature \(known: audit\)/);
    assert.match(named('CUSTOM_ADMIN_USERS')[0] ?? '', /"not-an-email"/);
    assert.match(named('CUSTOM_MAIL_DOMAINS')[0] ?? '', /"exa mple.com"/);
  });

  test('mail senders: an address or a name with an address', () => {
    for (const good of [
      'reports@localhost',
      'Reports <reports@example.com>',
      '"R, Inc" <r@mail.example.org>',
    ])
      assert.deepEqual(problemsOf({ MAIL_FROM: good }), [], good);
    for (const bad of ['notanaddress', 'Reports <>', 'a@b c', 'Reports reports@example.com x', '<a@b.c'])
      assert.equal(problemsOf({ MAIL_FROM: bad }).length, 1, bad);
  });

  test('mail domains and admin users', () => {
    assert.deepEqual(problemsOf({ CUSTOM_MAIL_DOMAINS: 'example.com, sub.example.co.uk' }), []);
    for (const bad of ['@example.com', 'exa_mple.com', 'http://example.com', '-x.com', 'a..b'])
      assert.equal(problemsOf({ CUSTOM_MAIL_DOMAINS: bad }).length, 1, bad);
    const config = loadConfig({ DATA_DIR: '/tmp/x', CUSTOM_ADMIN_USERS: 'Ann@Example.com' });
    assert.deepEqual(config.adminUsers, ['ann@example.com']);
    assert.equal(problemsOf({ CUSTOM_ADMIN_USERS: 'ann' }).length, 1);
  });

  test('the key source is recorded', () => {
    const key = 'k'.repeat(40);
    assert.equal(loadConfig({ DATA_DIR: '/tmp/x', SECRET_KEY: key }).secretKeySource, 'SECRET_KEY');
  });
});
