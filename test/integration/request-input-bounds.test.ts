/**
 * Request input that used to reach the SQL or the stack as something else is refused with a 400
 * naming the problem: a scalar field given several times, an integer beyond 64 bits, and JSON
 * nested deeper than the bound. Prototype-poisoning keys stay refused on every JSON path.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_JSON_DEPTH } from '../../src/http/json-body.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
  const response = await t.app.server.inject({
    method: 'POST',
    url: '/api/admin/reports/',
    headers: { authorization: t.adminHeader },
    payload: {
      name: 'echo-integer',
      cluster: 'demo',
      groups: ['*'],
      sql: 'select :_n as n',
      fields: [{ name: '_n', type: 'integer' }],
    },
  });
  assert.equal(response.statusCode, 201, response.body);
});
after(() => t.close());

type Options = { method?: 'GET' | 'POST'; headers?: Record<string, string>; payload?: string | object };
const call = (url: string, options: Options = {}) =>
  t.app.server.inject({
    method: options.method ?? 'GET',
    url,
    headers: { authorization: t.adminHeader, ...options.headers },
    payload: options.payload,
  });
const json = { 'content-type': 'application/json' };

function assertRefused(response: Awaited<ReturnType<typeof call>>, message: RegExp) {
  assert.equal(response.statusCode, 400, response.body);
  assert.equal(response.json().ok, false);
  assert.match(response.json().message, message);
}

/** `{"_n": 1, "x": [[…]]}`: the object is one level, the arrays the rest. */
const nested = (depth: number) => `{"_n": 1, "x": ${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

describe('a scalar field given several times', () => {
  const once = /Parameter "_id" takes one value, not a list of 2/;

  test('is a 400 naming the field, from the query string, a form body and a JSON body', async () => {
    assertRefused(await call('/api/call/customer-by-id/?_id=1&_id=2'), once);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    assertRefused(
      await call('/api/call/customer-by-id/', { method: 'POST', headers: form, payload: '_id=1&_id=2' }),
      once,
    );
    assertRefused(
      await call('/api/call/customer-by-id/', { method: 'POST', payload: { _id: [1, 2] } }),
      once,
    );
    assertRefused(await call('/api/call/customer-by-id/', { headers: form, payload: '_id=1&_id=2' }), once);
  });

  test('a multiselect still takes several values', async () => {
    const response = await call('/api/call/orders-by-status/?_status=cancelled&_status=returned');
    assert.equal(response.statusCode, 200, response.body);
    const statuses = new Set(response.json().records.map((r: { status: string }) => r.status));
    assert.ok(statuses.size > 0);
    for (const status of statuses)
      assert.ok(['cancelled', 'returned'].includes(String(status)), String(status));
  });
});

describe('integer fields hold signed 64-bit values', () => {
  test('the ends of the range bind exactly', async () => {
    for (const n of ['9223372036854775807', '-9223372036854775808', '9007199254740993']) {
      const response = await call(`/api/call/echo-integer/?_n=${n}`);
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json().records, [{ n }]);
    }
    const small = await call('/api/call/echo-integer/?_n=-42');
    assert.deepEqual(small.json().records, [{ n: -42 }]);
  });

  test('one past either end, or thousands of digits, is a 400 naming the field and the range', async () => {
    const range = /Parameter "_n" must be an integer from -9223372036854775808 to 9223372036854775807/;
    for (const n of [
      '9223372036854775808',
      '-9223372036854775809',
      '9'.repeat(5000),
      `000${'1'.repeat(25)}`,
    ]) {
      assertRefused(await call(`/api/call/echo-integer/?_n=${n}`), range);
    }
  });

  test('a JSON number already rounded by parsing is refused rather than bound wrong', async () => {
    assertRefused(
      await call('/api/call/echo-integer/', {
        method: 'POST',
        headers: json,
        payload: '{"_n": 9007199254740993}',
      }),
      /Parameter "_n" must be an integer; send integers beyond ±2\^53 as a string of digits/,
    );
    const exact = await call('/api/call/echo-integer/', {
      method: 'POST',
      payload: { _n: '9007199254740993' },
    });
    assert.deepEqual(exact.json().records, [{ n: '9007199254740993' }]);
  });
});

describe('JSON bodies', () => {
  const tooDeep = new RegExp(`The JSON body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`);

  test(`nested deeper than ${MAX_JSON_DEPTH} levels are a 400, on POST, on a GET body and on admin routes`, async () => {
    const huge = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    for (const payload of [huge, nested(MAX_JSON_DEPTH + 1)]) {
      assertRefused(
        await call('/api/call/echo-integer/', { method: 'POST', headers: json, payload }),
        tooDeep,
      );
      assertRefused(await call('/api/call/echo-integer/', { headers: json, payload }), tooDeep);
    }
    const admin = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/reports/',
      headers: { authorization: t.adminHeader, ...json },
      payload: huge,
    });
    assertRefused(admin, tooDeep);
  });

  test(`${MAX_JSON_DEPTH} levels, brackets inside strings and escaped quotes are fine`, async () => {
    const deepest = await call('/api/call/echo-integer/', {
      method: 'POST',
      headers: json,
      payload: nested(MAX_JSON_DEPTH),
    });
    assert.equal(deepest.statusCode, 200, deepest.body);
    const strings = `{"_n": 7, "x": "${'['.repeat(200)}\\"${'{'.repeat(200)}"}`;
    for (const method of ['POST', 'GET'] as const) {
      const response = await call('/api/call/echo-integer/', { method, headers: json, payload: strings });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json().records, [{ n: 7 }]);
    }
  });

  test('prototype-poisoning keys are still refused, on POST and on a GET body', async () => {
    for (const payload of [
      '{"_n": 1, "__proto__": {"isAdmin": true}}',
      '{"_n": 1, "constructor": {"prototype": {}}}',
    ]) {
      for (const method of ['POST', 'GET'] as const) {
        const response = await call('/api/call/echo-integer/', { method, headers: json, payload });
        assert.equal(response.statusCode, 400, `${method} ${payload}: ${response.body}`);
        assert.match(response.json().message, /JSON/);
      }
    }
  });
});
