import assert from 'node:assert/strict';
import { test } from 'node:test';
import { looksSecret, redactUrl } from '../../src/observability/redact.ts';

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
