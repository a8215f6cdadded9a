import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CREDENTIAL_PARAMS } from '../../src/http/auth.ts';
import { looksSecret, redactText, redactUrl } from '../../src/observability/redact.ts';

test('secret-looking query parameters are redacted, the rest kept as sent', () => {
  assert.equal(redactUrl('/api/call/x/'), '/api/call/x/');
  assert.equal(
    redactUrl('/api/call/x/?_id=4%202&password=p&Api_Key=k&_customer_token=t&x'),
    '/api/call/x/?_id=4%202&password=[redacted]&Api_Key=[redacted]&_customer_token=[redacted]&x',
  );
  assert.equal(redactUrl('/a?pass%77ord=p&sig=s'), '/a?pass%77ord=[redacted]&sig=[redacted]');
  for (const name of ['passwd', 'client_secret', 'auth', 'signature', 'credential', 'key', 'access_token']) {
    assert.ok(looksSecret(name), name);
  }
  for (const name of ['_id', '_customer', 'format', 'limit']) assert.ok(!looksSecret(name), name);
});

test('every name the authenticator refuses is redacted, in any letter case', () => {
  for (const name of [...CREDENTIAL_PARAMS, 'password', 'secret', 'api_key']) {
    for (const spelled of [name, name.toUpperCase(), name[0]?.toUpperCase() + name.slice(1)]) {
      assert.equal(redactUrl(`/a?${spelled}=hunter2`), `/a?${spelled}=[redacted]`, spelled);
    }
  }
});

test('values smuggled past the name check are redacted too', () => {
  // A second `?`: the parser sees one parameter `a` whose value holds `token=…`.
  assert.equal(redactUrl('/a?a=1?token=hunter2'), '/a?a=[redacted]');
  // An encoded `=` puts the value inside the name.
  assert.equal(redactUrl('/a?token%3Dhunter2&_id=1'), '/a?[redacted]=[redacted]&_id=1');
  // A connection URL as a value, plain or percent-encoded.
  assert.equal(redactUrl('/a?_db=postgres://u:hunter2@h/x&_id=1'), '/a?_db=[redacted]&_id=1');
  assert.equal(redactUrl('/a?_db=postgres%3A%2F%2Fu%3Ahunter2%40h'), '/a?_db=[redacted]');
  assert.equal(redactUrl('/a/mysql://u:hunter2@h/'), '/a/mysql://[redacted]@h/');
});

test('free text loses URL user-info, password settings and secret query parameters', () => {
  const cases: Array<[string, string]> = [
    ['connect postgres://admin:hunter2@db:5432/x failed', 'connect postgres://[redacted]@db:5432/x failed'],
    ['MYSQL://root:p@ss@h/db', 'MYSQL://[redacted]@h/db'],
    ['host=db user=x password=hunter2 dbname=y', 'host=db user=x password=[redacted] dbname=y'],
    ["password='two words' port=5", 'password=[redacted] port=5'],
    ['see /api/x?_id=1&Access_Token=hunter2 now', 'see /api/x?_id=1&Access_Token=[redacted] now'],
    ['nothing here: a=b, https://example.com/path?q=1', 'nothing here: a=b, https://example.com/path?q=1'],
  ];
  for (const [text, expected] of cases) assert.equal(redactText(text), expected, text);
});

test('a whole JSON log line stays valid JSON with its secrets gone', () => {
  const line = JSON.stringify({
    msg: 'report failed',
    databaseError: `bad JSON path: 'postgres://u:hun"ter\\2@h/x?password=p2'`,
    err: { input: 'mysql://root:hunter3@10.0.0.1/db', url: '/a?token=hunter4' },
  });
  const redacted = redactText(line);
  for (const secret of ['hun', 'hunter3', 'hunter4', 'p2']) assert.ok(!redacted.includes(secret), redacted);
  const parsed = JSON.parse(redacted);
  assert.equal(parsed.err.input, 'mysql://[redacted]@10.0.0.1/db');
  assert.equal(parsed.msg, 'report failed');
});
