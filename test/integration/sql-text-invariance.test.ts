/**
 * Property: whatever a caller sends as parameters — quotes, comment markers, placeholders,
 * unicode — the SQL text that reaches the driver is the same; values travel only as binds.
 * The driver here is the real SQLite driver, wrapped to record what it is asked to run.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { buildServices } from '../../src/app.ts';
import type { DataSource, RunRequest } from '../../src/datasources/driver.ts';
import { AppError } from '../../src/errors.ts';
import { openConnectionRow } from '../../src/services/connections.ts';
import { dataSourceCache } from '../../src/services/data-source-cache.ts';
import type { ReportInput } from '../../src/services/report-model.ts';
import { internalContext } from '../../src/services/request-context.ts';
import { loadServerKey, secretBox } from '../../src/services/server-key.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
const seen: RunRequest[] = [];

before(async () => {
  t = await createTestApp();
});
after(() => t.close());

function recordingServices() {
  const box = secretBox(loadServerKey(t.app.config).value);
  const cache = dataSourceCache((row) => {
    const real = openConnectionRow(row, box);
    const recording: DataSource = {
      driver: real.driver,
      test: () => real.test(),
      privileges: () => real.privileges(),
      close: () => real.close(),
      poolStats: () => real.poolStats(),
      run(request) {
        seen.push(request);
        return real.run(request);
      },
    };
    return recording;
  });
  return buildServices(t.app.store.db, { config: t.app.config, box, cache });
}

const fields = [
  { name: '_text', type: 'text' },
  { name: '_int', type: 'integer' },
  { name: '_num', type: 'number' },
  { name: '_date', type: 'date' },
  { name: '_when', type: 'datetime' },
  { name: '_flag', type: 'boolean' },
  { name: '_pick', type: 'select', choices: [{ value: 'a' }, { value: "o'brien" }] },
] satisfies NonNullable<ReportInput['fields']>;
const sql = `select :_text as t, :_int as i, :_num as n, :_date as d, :_when as w, :_flag as f, :_pick as p,
  '{{ _text }}' is not null as templated /* :_text in a comment */ where 1 = 1 {% if _text %} and :_text = :_text {% endif %}`;

const nasty = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom(
    "'",
    "''",
    '"',
    '\\',
    "\\'",
    '--',
    '/*',
    '*/',
    '$$',
    ':_int',
    '?',
    '$1',
    ';',
    "'; drop table customer; --",
    '{{',
    '{%',
    '\u0000x',
  ),
  fc.string().map((s) => `${s}' or '1'='1`),
);
const value = fc.oneof(
  nasty,
  fc.integer().map(String),
  fc.double().map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.boolean().map(String),
);

test('the SQL text sent to the driver never changes with parameter values', async () => {
  const services = recordingServices();
  const ctx = internalContext('admin');
  await services.reports.save(ctx, {
    name: 'Invariance',
    cluster: 'demo',
    groups: ['*'],
    sql: sql.replace("'{{ _text }}'", '{{ _text }}'),
    fields,
  });
  const texts = new Set<string>();
  await fc.assert(
    fc.asyncProperty(
      fc.record(Object.fromEntries(fields.map((f) => [f.name, value]))),
      fc.constantFrom('a', "o'brien"),
      async (raw, pick) => {
        seen.length = 0;
        try {
          const output = await services.runner.run(ctx, 'invariance', { ...raw, _pick: pick });
          if (output.kind === 'table') for await (const _batch of output.rows);
        } catch (error) {
          assert.ok(error instanceof AppError, String(error));
          assert.equal(error.code, 'bad_request');
          assert.match(error.message, /"_(int|num|date|when|flag|text)"/);
          return;
        }
        assert.equal(seen.length, 1);
        const request = seen[0]!;
        const withText = request.sql.includes('and ?');
        texts.add(`${withText}|${request.sql.replace(/'(?:[^']|'')*'/g, "'…'")}`);
        assert.ok(!request.sql.includes('drop table'), 'no request text reaches the SQL unescaped');
      },
    ),
    { numRuns: 300 },
  );
  // One shape with the optional clause and one without; escaped literals aside, nothing varies.
  assert.ok(texts.size <= 2, [...texts].join('\n'));
});

test('values are bound exactly as given, whatever they contain', async () => {
  const services = recordingServices();
  const ctx = internalContext('admin');
  await fc.assert(
    fc.asyncProperty(
      nasty.filter((s) => s.trim() !== '' && !s.includes('\u0000')),
      async (text) => {
        seen.length = 0;
        const output = await services.runner.run(ctx, 'invariance', { _text: text, _pick: 'a' });
        assert.equal(output.kind, 'table');
        if (output.kind !== 'table') return;
        const rows: unknown[][] = [];
        for await (const batch of output.rows) rows.push(...batch);
        assert.equal(rows[0]?.[0], text);
      },
    ),
    { numRuns: 200 },
  );
});
