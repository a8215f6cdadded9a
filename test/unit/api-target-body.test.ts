import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { test } from 'node:test';
import { spoolApiBody } from '../../src/services/api-target-body.ts';

const columns = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'text' },
];

test('a table body is the JSON envelope of the rows, signed, and readable more than once', async () => {
  const spool = await spoolApiBody({ kind: 'table', secret: 'a-secret-of-some-length', maxRows: 10 });
  try {
    spool.sink.table('Customers', columns);
    await spool.sink.rows([
      [1, 'Ann'],
      [2, 'Bo "the" \u2603'],
    ]);
    await spool.sink.rows([]);
    await spool.sink.rows([[3, null]]);
    await spool.sink.end();
    const expected = JSON.stringify({
      message: '',
      ok: true,
      records: [
        { id: 1, name: 'Ann' },
        { id: 2, name: 'Bo "the" \u2603' },
        { id: 3, name: null },
      ],
    });
    const body = spool.body();
    assert.equal(await text(body.open()), expected);
    assert.equal(await text(body.open()), expected, 'a retry reads the same bytes');
    assert.equal(body.bytes, Buffer.byteLength(expected));
    const hmac = createHmac('sha256', 'a-secret-of-some-length').update(expected).digest('hex');
    assert.equal(body.signature, `sha256=${hmac}`);
    assert.equal(spool.overCap(), false);
  } finally {
    await spool.dispose();
  }
});

test('a panel body holds one {title, records} per section; no secret, no signature', async () => {
  const spool = await spoolApiBody({ kind: 'sections', secret: null, maxRows: 10 });
  try {
    spool.sink.table('First', columns);
    await spool.sink.rows([[1, 'a']]);
    spool.sink.table('Empty', columns);
    spool.sink.table('Last', [{ name: 'n', type: 'integer' }]);
    await spool.sink.rows([[7], [8]]);
    await spool.sink.end();
    const body = spool.body();
    assert.equal(
      await text(body.open()),
      JSON.stringify({
        message: '',
        ok: true,
        records: [
          { title: 'First', records: [{ id: 1, name: 'a' }] },
          { title: 'Empty', records: [] },
          { title: 'Last', records: [{ n: 7 }, { n: 8 }] },
        ],
      }),
    );
    assert.equal(body.signature, null);
  } finally {
    await spool.dispose();
  }
});

test('rows past the cap are not written and the spool says it is over', async () => {
  const spool = await spoolApiBody({ kind: 'table', secret: null, maxRows: 2 });
  try {
    spool.sink.table('T', columns);
    await spool.sink.rows([
      [1, 'a'],
      [2, 'b'],
    ]);
    assert.equal(spool.overCap(), false, 'at the cap is not over it');
    await spool.sink.rows([[3, 'c']]);
    await spool.sink.end();
    assert.equal(spool.overCap(), true);
    assert.doesNotMatch(await text(spool.body().open()), /"c"/);
  } finally {
    await spool.dispose();
  }
});
