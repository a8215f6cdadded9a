/**
 * The runtime that compiled templates of a hardened environment run against.
 *
 * Nunjucks compiles a template to JavaScript whose every variable read, property read, call and
 * print goes through a `runtime` object handed to the compiled root function
 * (`runtime.contextOrFrameLookup`, `runtime.memberLookup`, `runtime.callWrap`,
 * `runtime.suppressValue`). The stock runtime reads any property (`range.constructor` is
 * `Function`) and calls any function, which is how the classic payloads reach `process`. This
 * one, built per environment (the shared Nunjucks module is never patched):
 * - resolves variables and properties to *own* properties only, so nothing is ever read from a
 *   prototype, and refuses `constructor`, `__proto__` and friends outright;
 * - calls only functions on an allow-list: template macros, the safe globals below, and
 *   functions the server put at the top level of the render context. No built-in JavaScript
 *   function is ever handed to template code, so `Function` cannot be named, let alone called.
 */
import nunjucks from 'nunjucks';
import { AppError } from '../errors.ts';

export type AnyFunction = (...args: never[]) => unknown;

/** Names that lead from a value to its prototype or constructor; refused as variables and keys. */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set([
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
export const FORBIDDEN_MEMBERS: ReadonlySet<string> = new Set([
  ...FORBIDDEN_NAMES,
  'caller',
  'callee',
  'arguments',
]);

/** `range()` allocates an array; a request value must not be able to ask for a billion elements. */
const MAX_RANGE = 100_000;

/** The error every refused construct becomes: the template is at fault, not the server. */
export function forbiddenConstruct(what: string): AppError {
  return new AppError('bad_request', `The template uses a forbidden construct: ${what}`);
}

/** The only functions a template may call (by identity). */
const callable = new WeakSet<object>();

function allowCall<F extends AnyFunction>(fn: F): F {
  callable.add(fn);
  return fn;
}

/** Functions the server puts at the top level of a render context may be called by the template. */
export function allowContextFunctions(context: Record<string, unknown>): void {
  for (const value of Object.values(context)) if (typeof value === 'function') callable.add(value);
}

// The parts of Nunjucks's runtime objects that its type declarations do not describe.
interface Frame {
  lookup(name: string): unknown;
}
interface RenderContext {
  ctx: Record<string, unknown>;
  env: { globals: Record<string, unknown> };
}
interface NunjucksRuntime extends Record<string, unknown> {
  makeMacro(...args: unknown[]): AnyFunction;
  suppressValue(value: unknown, autoescape: boolean): unknown;
  handleError(error: unknown, lineno: number, colno: number): unknown;
}
const baseRuntime = (nunjucks as unknown as { runtime: NunjucksRuntime }).runtime;

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
  if (typeof key !== 'string' && typeof key !== 'number')
    throw forbiddenConstruct('a computed key that is not text');
  const name = String(key);
  if (FORBIDDEN_MEMBERS.has(name)) throw forbiddenConstruct(`the property "${name}"`);
  return checked(ownValue(Object(target), name), name);
}

function callWrap(fn: unknown, name: string, context: unknown, args: unknown[]): unknown {
  if (typeof fn !== 'function')
    throw new AppError('bad_request', `The template calls ${name}, which is not a function`);
  if (!callable.has(fn)) throw forbiddenConstruct(`calling ${name}`);
  return fn.apply(context, args);
}

function range(start: unknown, stop?: unknown, step?: unknown): number[] {
  const [first, to, by] =
    stop === undefined ? [0, Number(start), 1] : [Number(start), Number(stop), Number(step) || 1];
  if (!Number.isFinite(first) || !Number.isFinite(to) || !Number.isFinite(by)) {
    throw new AppError('bad_request', 'range() needs finite numbers');
  }
  if ((to - first) / by > MAX_RANGE)
    throw new AppError('bad_request', `range() is limited to ${MAX_RANGE} elements`);
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
export function safeGlobals(): Record<string, unknown> {
  return Object.assign(Object.create(null), {
    range: allowCall(range),
    cycler: allowCall(cycler),
    joiner: allowCall(joiner),
  });
}

export interface RuntimeOptions {
  /** Turns a printed value into output text; without it, Nunjucks's HTML autoescape applies. */
  print?: (value: unknown) => string;
  /** Wraps already-rendered output (macro results, `super()`), so `print` can pass it through. */
  renderedOutput?: new (
    text: string,
  ) => object;
}

/** A runtime object for compiled templates, with the hardened lookups, calls and printing. */
export function createRuntime(options: RuntimeOptions): Readonly<Record<string, unknown>> {
  const { print, renderedOutput: Rendered } = options;
  const runtime: Record<string, unknown> = {
    ...baseRuntime,
    contextOrFrameLookup,
    memberLookup,
    callWrap,
    makeMacro: (...args: unknown[]) => allowCall(baseRuntime.makeMacro(...args)),
    suppressValue: (value: unknown, autoescape: boolean) => {
      if (typeof value === 'function') throw forbiddenConstruct('printing a function');
      return print ? print(value) : baseRuntime.suppressValue(value, autoescape);
    },
    // AppErrors travel up unchanged so the caller sees our message and code.
    handleError: (error: unknown, lineno: number, colno: number) =>
      error instanceof AppError ? error : baseRuntime.handleError(error, lineno, colno),
  };
  if (Rendered) {
    runtime.SafeString = Rendered;
    runtime.markSafe = (value: unknown) => (typeof value === 'string' ? new Rendered(value) : value);
  }
  return Object.freeze(runtime);
}
