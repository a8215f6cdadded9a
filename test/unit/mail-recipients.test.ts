import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRecipients, MAX_RECIPIENTS, recipientProblem } from '../../src/policies/mail-recipients.ts';

const user = { email: 'Alice@Example.com' };
const token = { email: null };
const domains = ['allowed.example'];

test('own address (any case) and allowed domains pass; others are refused', () => {
  assert.equal(recipientProblem(user, 'alice@example.com', domains), null);
  assert.equal(recipientProblem(user, 'someone@ALLOWED.example', domains), null);
  assert.match(recipientProblem(user, 'bob@example.com', domains) ?? '', /outside the allowed mail domains/);
  assert.match(recipientProblem(user, 'x@sub.allowed.example', domains) ?? '', /outside/);
  assert.match(recipientProblem(user, 'bob@example.com', []) ?? '', /CUSTOM_MAIL_DOMAINS/);
});

test('tokens have no own address: only allowed domains', () => {
  assert.equal(recipientProblem(token, 'team@allowed.example', domains), null);
  assert.ok(recipientProblem(token, 'alice@example.com', domains));
});

test('only plain addresses: no display names, header breaks or lists', () => {
  for (const bad of [
    'Alice <alice@example.com>',
    'alice@example.com\r\nBcc: x@y.z',
    'a@b',
    'a b@allowed.example',
    '@allowed.example',
    'a@allowed.example,b@allowed.example',
  ]) {
    assert.match(recipientProblem(user, bad, domains) ?? '', /not a valid email address/, bad);
  }
});

test('a list is trimmed and deduplicated; the first refused address is named', () => {
  assert.deepEqual(checkRecipients(user, [' alice@example.com', 'alice@example.com', ''], domains), {
    ok: true,
    recipients: ['alice@example.com'],
  });
  const refused = checkRecipients(user, ['team@allowed.example', 'evil@elsewhere.com'], domains);
  assert.equal(refused.ok, false);
  assert.equal(refused.ok ? '' : refused.refused, 'evil@elsewhere.com');
  assert.equal(checkRecipients(user, [], domains).ok, false);
  const many = Array.from({ length: MAX_RECIPIENTS + 1 }, (_v, i) => `u${i}@allowed.example`);
  assert.equal(checkRecipients(user, many, domains).ok, false);
});
