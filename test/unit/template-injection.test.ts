import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import nunjucks from 'nunjucks';
import { AppError } from '../../src/errors.ts';
import { renderSqlTemplate } from '../../src/sql/sql-template.ts';
import { renderHtmlTemplate } from '../../src/templates/html-template.ts';

const PATH = process.env.PATH ?? '/usr/bin';
const context = () => ({ x: { a: 1 }, name: 'n', records: [{ a: 1 }], columns: ['a'] });
const environments: [string, (template: string) => string][] = [
  ['SQL', (template) => renderSqlTemplate(template, context(), 'postgres')],
  ['HTML', (template) => renderHtmlTemplate(template, context())],
];

/** Payloads that must be refused with the forbidden-construct error. */
const REFUSED = [
  '{{ range.constructor("return process")() }}',
  '{{ range.constructor("return process.env.PATH")() }}',
  '{{ range.constructor("globalThis.pwned = 1")() }}',
  '{{ cycler.constructor("return process.env.PATH")() }}',
  '{{ joiner.constructor("return process.env.PATH")() }}',
  '{{ "".constructor.constructor("return process.env.PATH")() }}',
  '{{ [].constructor.constructor("globalThis.pwned = 1")() }}',
  '{{ (1).constructor.constructor("globalThis.pwned = 1")() }}',
  '{{ x.__proto__ }}',
  '{{ x.__proto__.constructor }}',
  '{{ x["__proto__"]["constructor"] }}',
  '{{ x.prototype }}',
  '{{ x.valueOf() }}',
  '{{ x.__defineGetter__("a", range) }}',
  '{{ x.__lookupGetter__("a") }}',
  '{{ x.__defineSetter__ }}',
  '{{ x.__lookupSetter__ }}',
  '{{ constructor }}',
  '{{ constructor.constructor("globalThis.pwned = 1")() }}',
  '{{ valueOf }}',
  '{{ __proto__ }}',
  '{{ __defineGetter__ }}',
  '{{ __lookupGetter__("x") }}',
  '{{ range["constr" ~ "uctor"]("globalThis.pwned = 1")() }}',
  '{{ range["constr" + "uctor"]("return process.env.PATH")() }}',
  '{% set k = "constr" ~ "uctor" %}{{ range[k][k] }}',
  '{% set k = "__pro" ~ "to__" %}{{ x[k] }}',
  '{{ x[["constructor"]] }}',
  '{% set f = range.constructor %}',
  '{% set f = "".constructor.constructor("globalThis.pwned = 1") %}{{ f() }}',
  '{% set __proto__ = range %}',
  '{% set constructor = 1 %}',
  '{{ {"__proto__": range} }}',
  '{{ {__proto__: range} }}',
  '{% for constructor in [1] %}{% endfor %}',
  '{% macro m() %}{% endmacro %}{{ m.constructor("globalThis.pwned = 1")() }}',
  '{% macro m() %}{{ caller.constructor }}{% endmacro %}{% call m() %}x{% endcall %}',
  '{% for i in [1] %}{{ loop.constructor }}{% endfor %}',
  '{{ cycler("a").next.constructor("globalThis.pwned = 1")() }}',
  '{{ range.caller }}',
  '{{ range.arguments }}',
  '{% include "/etc/passwd" %}',
  '{% include "package.json" %}',
  '{% set f = "/etc/passwd" %}{% include f %}',
  '{% include "/etc/passwd" ignore missing %}',
  '{% import "/etc/passwd" as p %}',
  '{% from "/etc/passwd" import x %}',
  '{% extends "/etc/passwd" %}',
  '{% if true %}{% extends "package.json" %}{% endif %}',
  '{{ range }}',
];

/** Payloads that may render or fail, but never reach the runtime. */
const HARMLESS = [
  '{{ this }}',
  '{{ this.constructor }}',
  '{{ x.toString() }}',
  '{{ range.call(null, 3) }}',
  '{{ range.apply }}',
  '{{ range.bind(null)(3) }}',
  '{{ x | constructor }}',
  '{{ x | __proto__ }}',
  '{% if x is constructor %}y{% endif %}',
  '{{ [range] | join("", "constructor") }}',
  '{{ [range] | sum("constructor") }}',
  '{{ records | groupby("constructor") | dump }}',
  '{{ records | selectattr("constructor") | length }}',
  '{{ x | dictsort | dump }}',
  '{{ process }}',
  '{{ global }}',
  '{{ globalThis }}',
  '{{ require("fs") }}',
  '{{ env }}',
  '{{ context }}',
  '{{ runtime }}',
  '{{ lipsum() }}',
  '{{ range(100000000) | length }}',
];

function refused(error: unknown): boolean {
  return error instanceof AppError && error.code === 'bad_request';
}

function assertHarmless(output: string): void {
  assert.ok(!output.includes(PATH), 'output contains PATH');
  assert.ok(!/\broot:[^:]*:0:0:/.test(output), 'output contains /etc/passwd');
  assert.ok(!output.includes('secure-reporter'), 'output contains package.json');
  assert.ok(!output.includes('[object process]'), 'output contains the process object');
}

after(() => {
  assert.equal((globalThis as { pwned?: unknown }).pwned, undefined);
});

describe('stock Nunjucks (control: the payloads are real)', () => {
  it('reaches process.env through range.constructor', () => {
    const stock = new nunjucks.Environment([]);
    assert.equal(stock.renderString('{{ range.constructor("return process.env.PATH")() }}', {}), PATH);
  });
});

for (const [label, render] of environments) {
  describe(`${label} templates refuse known payloads`, () => {
    for (const payload of REFUSED) {
      it(payload, () => {
        assert.throws(
          () => render(payload),
          (error: unknown) => refused(error) && /forbidden construct/.test((error as Error).message),
        );
        assert.equal((globalThis as { pwned?: unknown }).pwned, undefined);
      });
    }
  });

  describe(`${label} templates render other probes harmlessly`, () => {
    for (const payload of HARMLESS) {
      it(payload, () => {
        let output: string;
        try {
          output = render(payload);
        } catch (error) {
          assert.ok(refused(error), `unexpected ${String(error)}`);
          return;
        }
        assertHarmless(output);
        assert.equal((globalThis as { pwned?: unknown }).pwned, undefined);
      });
    }
  });
}

describe('what templates may call', () => {
  it('calls macros, the safe globals, and functions the server put in the context', () => {
    const template =
      '{% macro m(v) %}[{{ v }}]{% endmacro %}{{ m(1) }}{{ range(3) | join }}{% set c = cycler("a", "b") %}{{ c.next() }}{{ c.next() }}{{ twice(4) }}';
    assert.equal(renderHtmlTemplate(template, { twice: (n: number) => n * 2 }), '[1]012ab8');
  });

  it('refuses a function the context holds below the top level, or one a context function returns', () => {
    const nested = { helpers: { f: () => PATH } };
    assert.throws(
      () => renderHtmlTemplate('{{ helpers.f() }}', nested),
      (error) => refused(error),
    );
    const maker = { make: () => () => PATH };
    assert.throws(
      () => renderHtmlTemplate('{{ make()() }}', maker),
      (error) => refused(error),
    );
  });

  it('escapes HTML in the HTML environment, and honours | safe there', () => {
    assert.equal(renderHtmlTemplate('{{ v }}|{{ v | safe }}', { v: '<b>' }), '&lt;b&gt;|<b>');
  });

  it('caps range() so a request value cannot exhaust memory', () => {
    assert.throws(
      () => renderHtmlTemplate('{{ range(n) | length }}', { n: 1e9 }),
      (error) => refused(error),
    );
  });
});
