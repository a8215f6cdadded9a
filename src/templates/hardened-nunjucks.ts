/**
 * Nunjucks environments that cannot reach the server's runtime (SPEC §4.4, §11).
 *
 * Nunjucks compiles a template to JavaScript whose every variable read, property read, call and
 * print goes through a `runtime` object handed to the compiled root function
 * (`runtime.contextOrFrameLookup`, `runtime.memberLookup`, `runtime.callWrap`,
 * `runtime.suppressValue`). The stock runtime reads any property (`range.constructor` is
 * `Function`) and calls any function, which is how the classic payloads reach `process`.
 *
 * Each environment here hands its compiled templates a private runtime instead (the shared
 * Nunjucks module is never patched, so other code in the process is unaffected):
 * - variables and properties resolve to *own* properties only, so nothing is ever read from a
 *   prototype, and `constructor`, `__proto__` and friends are refused outright;
 * - a call is only allowed to a function on an allow-list: template macros, the safe globals
 *   below, and functions the caller put at the top level of the render context. No built-in
 *   JavaScript function is ever reachable, so `Function` cannot be named, let alone called;
 * - filters and tests are looked up as own properties of the environment's tables;
 * - `{% include %}`, `{% import %}` and `{% extends %}` are refused before compiling, and the
 *   environment has no loader that could read a file.
 * A static pass over the parsed template refuses the same names early, with a line number.
 */
import nunjucks from 'nunjucks';
import { AppError } from '../errors.ts';

type AnyFunction = (...args: never[]) => unknown;

/** Names that lead from a value to its prototype or constructor; refused as variables and keys. */
const FORBIDDEN_NAMES = new Set([
  'constructor',
  'prototype',
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'valueOf',
]);

/** Function internals are refused as keys too (`caller` stays usable as the `{% call %}` variable). */
const FORBIDDEN_MEMBERS = new Set([...FORBIDDEN_NAMES, 'caller', 'callee', 'arguments']);

const REFUSED_TAGS: Record<string, string> = {
  Include: '{% include %}',
  Import: '{% import %}',
  FromImport: '{% from … import %}',
  Extends: '{% extends %}',
};

/** `range()` allocates an array; a request value must not be able to ask for a billion elements. */
const MAX_RANGE = 100_000;

/** The only functions a template may call (by identity). */
const callable = new WeakSet<object>();

function allowCall<F extends AnyFunction>(fn: F): F {
  callable.add(fn);
  return fn;
}

/** The error every refused construct becomes: the caller's template is at fault, not the server. */
export function forbiddenConstruct(what: string): AppError {
  return new AppError('bad_request', `The template uses a forbidden construct: ${what}`);
}

// The parts of Nunjucks that its type declarations do not describe.
interface AstNode {
  typename: string;
  lineno: number;
  fields: string[];
  value?: unknown;
  [field: string]: unknown;
}
interface Frame {
  lookup(name: string): unknown;
}
interface RenderContext {
  ctx: Record<string, unknown>;
  env: { globals: Record<string, unknown> };
}
type Callback = (error: unknown, output?: string) => void;
type RootRenderFunc = (env: unknown, context: unknown, frame: unknown, runtime: unknown, cb: Callback) => void;
interface CompiledTemplate {
  rootRenderFunc: RootRenderFunc;
  render(context: object): string;
}
interface NunjucksInternals {
  parser: { parse(source: string, extensions: unknown[], options: object): AstNode };
  runtime: Record<string, unknown> & {
    makeMacro(...args: unknown[]): AnyFunction;
    suppressValue(value: unknown, autoescape: boolean): unknown;
    handleError(error: unknown, lineno: number, colno: number): unknown;
  };
}
const internals = nunjucks as unknown as NunjucksInternals;

function ownValue(holder: object, name: string): unknown {
  return Object.hasOwn(holder, name) ? (holder as Record<string, unknown>)[name] : undefined;
}

/** A function value is only handed to template code when it may be called. */
function checked(value: unknown, name: string): unknown {
  if (typeof value === 'function' && !callable.has(value)) throw forbiddenConstruct(`the function "${name}"`);
  return value;
}

function contextOrFrameLookup(context: RenderContext, frame: Frame, name: string): unknown {
  if (FORBIDDEN_NAMES.has(name)) throw forbiddenConstruct(`the name "${name}"`);
  const fromFrame = frame.lookup(name);
  if (fromFrame !== undefined) return checked(fromFrame, name);
  const holder = Object.hasOwn(context.ctx, name) ? context.ctx : context.env.globals;
  return checked(ownValue(holder, name), name);
}

function memberLookup(target: unknown, key: unknown): unknown {
  if (target === undefined || target === null) return undefined;
  // `x[["constructor"]]` would reach `constructor` through Array#toString; only plain keys pass.
  if (typeof key !== 'string' && typeof key !== 'number') throw forbiddenConstruct('a computed key that is not text');
  const name = String(key);
  if (FORBIDDEN_MEMBERS.has(name)) throw forbiddenConstruct(`the property "${name}"`);
  return checked(ownValue(Object(target), name), name);
}

function callWrap(fn: unknown, name: string, context: unknown, args: unknown[]): unknown {
  if (typeof fn !== 'function') throw new AppError('bad_request', `The template calls ${name}, which is not a function`);
  if (!callable.has(fn)) throw forbiddenConstruct(`calling ${name}`);
  return fn.apply(context, args);
}

function range(start: unknown, stop?: unknown, step?: unknown): number[] {
  const [first, to, by] =
    stop === undefined ? [0, Number(start), 1] : [Number(start), Number(stop), Number(step) || 1];
  if (!Number.isFinite(first) || !Number.isFinite(to) || !Number.isFinite(by)) {
    throw new AppError('bad_request', 'range() needs finite numbers');
  }
  if ((to - first) / by > MAX_RANGE) throw new AppError('bad_request', `range() is limited to ${MAX_RANGE} elements`);
  const out: number[] = [];
  for (let n = first; by > 0 ? n < to : n > to; n += by) out.push(n);
  return out;
}

function cycler(...items: unknown[]): { current: unknown; next: () => unknown; reset: () => void } {
  let index = -1;
  const state = {
    current: null as unknown,
    next: allowCall(() => {
      index = (index + 1) % items.length;
      state.current = items[index];
      return state.current;
    }),
    reset: allowCall(() => {
      index = -1;
      state.current = null;
    }),
  };
  return state;
}

function joiner(separator: unknown = ','): () => string {
  let first = true;
  return allowCall(() => {
    const out = first ? '' : String(separator);
    first = false;
    return out;
  });
}

/** The Jinja2 globals Nunjucks provides, rebuilt so that everything they return may be called. */
function safeGlobals(): Record<string, unknown> {
  return Object.assign(Object.create(null), {
    range: allowCall(range),
    cycler: allowCall(cycler),
    joiner: allowCall(joiner),
  });
}

export interface HardenedEnvironmentOptions {
  /** Names the template kind in error messages, e.g. `SQL` or `HTML`. */
  label: string;
  /**
   * Turns each printed value (`{{ x }}`, filters included) into output text. Without it, output
   * is HTML-escaped unless marked safe, as in stock Nunjucks with autoescape on.
   */
  print?: (value: unknown) => string;
  /** Wraps already-rendered output (macro results, `super()`), so `print` can pass it through. */
  renderedOutput?: new (text: string) => object;
  /** Filters added to (or replacing) the built-in ones. */
  filters?: Record<string, AnyFunction>;
}

/** A hardened Nunjucks environment; every error it throws is an `AppError`. */
export interface HardenedEnvironment {
  /** Renders a template source with `context`; throws `bad_request` for syntax or forbidden constructs. */
  render(source: string, context: Record<string, unknown>): string;
}

function createRuntime(options: HardenedEnvironmentOptions): Readonly<Record<string, unknown>> {
  const base = internals.runtime;
  const { print, renderedOutput: Rendered } = options;
  const runtime: Record<string, unknown> = {
    ...base,
    contextOrFrameLookup,
    memberLookup,
    callWrap,
    makeMacro: (...args: unknown[]) => allowCall(base.makeMacro(...args)),
    suppressValue: (value: unknown, autoescape: boolean) => {
      if (typeof value === 'function') throw forbiddenConstruct('printing a function');
      return print ? print(value) : base.suppressValue(value, autoescape);
    },
    // AppErrors travel up unchanged so the caller sees our message and code.
    handleError: (error: unknown, lineno: number, colno: number) =>
      error instanceof AppError ? error : base.handleError(error, lineno, colno),
  };
  if (Rendered) {
    runtime.SafeString = Rendered;
    runtime.markSafe = (value: unknown) => (typeof value === 'string' ? new Rendered(value) : value);
  }
  return Object.freeze(runtime);
}

/** No loader may read a file: every template name is refused. */
const refusingLoader = {
  getSource(name: string): never {
    throw forbiddenConstruct(`loading the template "${name}"`);
  },
};

class LockedEnvironment extends nunjucks.Environment {
  private tables(): { filters: Record<string, AnyFunction>; tests: Record<string, AnyFunction> } {
    return this as unknown as { filters: Record<string, AnyFunction>; tests: Record<string, AnyFunction> };
  }
  hasFilter(name: string): boolean {
    return Object.hasOwn(this.tables().filters, name);
  }
  hasTest(name: string): boolean {
    return Object.hasOwn(this.tables().tests, name);
  }
  override getFilter(name: string): AnyFunction {
    if (!this.hasFilter(name)) throw new AppError('bad_request', `The template uses an unknown filter "${name}"`);
    return this.tables().filters[name]!;
  }
  getTest(name: string): AnyFunction {
    if (!this.hasTest(name)) throw new AppError('bad_request', `The template uses an unknown test "${name}"`);
    return this.tables().tests[name]!;
  }
  override getTemplate(): never {
    throw forbiddenConstruct('include, import or extends');
  }
}

function walk(node: AstNode, visit: (node: AstNode) => void): void {
  visit(node);
  for (const field of node.fields) {
    const value = node[field];
    for (const child of Array.isArray(value) ? value : [value]) {
      if (typeof child === 'object' && child !== null && 'typename' in child) walk(child as AstNode, visit);
    }
  }
}

/** Refuses forbidden tags, names and unknown filters/tests before anything is compiled. */
function checkTree(root: AstNode, env: LockedEnvironment): void {
  walk(root, (node) => {
    const line = `(line ${node.lineno + 1})`;
    const tag = REFUSED_TAGS[node.typename];
    if (tag) throw forbiddenConstruct(`${tag} ${line}`);
    const key = (node.typename === 'LookupVal' ? node.val : node.typename === 'Pair' ? node.key : undefined) as
      | AstNode
      | undefined;
    const name = node.typename === 'Symbol' || key?.typename === 'Literal' ? String((key ?? node).value) : undefined;
    if (name !== undefined && (node.typename === 'LookupVal' ? FORBIDDEN_MEMBERS : FORBIDDEN_NAMES).has(name)) {
      throw forbiddenConstruct(`"${name}" ${line}`);
    }
    if (node.typename === 'Filter' || node.typename === 'FilterAsync') {
      const filter = String((node.name as AstNode).value);
      if (!env.hasFilter(filter)) throw new AppError('bad_request', `The template uses an unknown filter "${filter}" ${line}`);
    }
  });
}

function cleanMessage(message: string): string {
  return message
    .replace(/^Template render error:\s*/, '')
    .replace(/\((unknown path)\)\s*(\[Line \d+(, Column \d+)?\])?/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function syntaxError(error: unknown, label: string): AppError {
  if (error instanceof AppError) return error;
  const { message, lineno, colno } = error as { message?: string; lineno?: number; colno?: number };
  const where = typeof lineno === 'number' ? ` at line ${lineno}${typeof colno === 'number' ? `, column ${colno}` : ''}` : '';
  const text = cleanMessage(message ?? String(error));
  return new AppError('bad_request', `The ${label} template has a syntax error${where}: ${text}`, { cause: error });
}

function renderError(error: unknown, label: string): AppError {
  if (error instanceof AppError) return error;
  const message = cleanMessage(error instanceof Error ? error.message : String(error));
  return new AppError('bad_request', `The ${label} template failed: ${message}`, { cause: error });
}

/** Jinja2's defaults: blocks keep their surrounding whitespace. */
const ENVIRONMENT_OPTIONS = { autoescape: true, throwOnUndefined: false, trimBlocks: false, lstripBlocks: false };

/** Compiled templates are kept per environment; report bodies are rendered on every run. */
const CACHE_SIZE = 256;

/** Creates an environment whose templates cannot reach the runtime (see the file comment). */
export function createHardenedEnvironment(options: HardenedEnvironmentOptions): HardenedEnvironment {
  const env = new LockedEnvironment([refusingLoader], ENVIRONMENT_OPTIONS);
  (env as unknown as { globals: Record<string, unknown> }).globals = safeGlobals();
  for (const [name, filter] of Object.entries(options.filters ?? {})) env.addFilter(name, filter);
  const runtime = createRuntime(options);
  const cache = new Map<string, CompiledTemplate>();

  const compile = (source: string): CompiledTemplate => {
    const cached = cache.get(source);
    if (cached) return cached;
    let template: CompiledTemplate;
    try {
      checkTree(internals.parser.parse(source, [], ENVIRONMENT_OPTIONS), env);
      template = new nunjucks.Template(source, env, undefined, true) as unknown as CompiledTemplate;
    } catch (error) {
      throw syntaxError(error, options.label);
    }
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(source, template);
    return template;
  };

  return {
    render(source, context) {
      const template = compile(source);
      for (const value of Object.values(context)) if (typeof value === 'function') callable.add(value);
      // Nunjucks passes its shared runtime to the root function; a per-render view of the
      // compiled template substitutes ours, and keeps the first error before Nunjucks rewraps it.
      let failure: unknown;
      const run = Object.create(template) as CompiledTemplate;
      run.rootRenderFunc = (e, ctx, frame, _shared, cb) =>
        template.rootRenderFunc(e, ctx, frame, runtime, (error, output) => {
          failure ??= error;
          cb(error, output);
        });
      try {
        return run.render(context);
      } catch (error) {
        throw renderError(failure ?? error, options.label);
      }
    },
  };
}
