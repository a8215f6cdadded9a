/**
 * Nunjucks environments that cannot reach the server's runtime (SPEC §4.4, §11). Every template
 * environment in the server (SQL bodies, HTML template reports) is made here.
 *
 * Three layers, each sufficient against the known payloads on its own:
 * - before compiling (template-tree.ts): `{% include %}`, `{% import %}`, `{% extends %}`,
 *   forbidden names such as `constructor` and `__proto__`, and unknown filters are refused;
 * - while rendering (template-runtime.ts): compiled code runs against a private runtime whose
 *   lookups only see own properties and refuse forbidden names whatever expression computed
 *   them, and whose calls only reach macros, safe globals and functions the server provided;
 * - the environment itself: filters and tests are looked up as own properties of its tables,
 *   there is no loader that could read a file, and `getTemplate` refuses every name.
 * Nunjucks hands its shared runtime to every compiled root function; each render here swaps in
 * the private one, so the shared Nunjucks module is never patched.
 */
import nunjucks from 'nunjucks';
import { AppError } from '../errors.ts';
import {
  type AnyFunction,
  allowContextFunctions,
  createRuntime,
  forbiddenConstruct,
  type RuntimeOptions,
  safeGlobals,
} from './template-runtime.ts';
import { compileTemplate, jinjaTruthy, TRUTHY_FILTER, templateError } from './template-tree.ts';

export { forbiddenConstruct } from './template-runtime.ts';

export interface HardenedEnvironmentOptions extends RuntimeOptions {
  /** Names the template kind in error messages, e.g. `SQL` or `HTML`. */
  label: string;
  /** Filters added to (or replacing) the built-in ones. */
  filters?: Record<string, AnyFunction>;
}

/** A hardened Nunjucks environment; every error it throws is an `AppError`. */
export interface HardenedEnvironment {
  /**
   * Renders a template source with `context`; throws `bad_request` for syntax errors, forbidden
   * constructs and failures while rendering. Functions at the top level of `context` may be
   * called by the template.
   */
  render(source: string, context: Record<string, unknown>): string;
}

type Callback = (error: unknown, output?: string) => void;
type RootRenderFunc = (
  env: unknown,
  context: unknown,
  frame: unknown,
  runtime: unknown,
  cb: Callback,
) => void;
interface CompiledTemplate {
  rootRenderFunc: RootRenderFunc;
  render(context: object): string;
}

/** No loader may read a file: every template name is refused. */
const refusingLoader = {
  getSource(name: string): never {
    throw forbiddenConstruct(`loading the template "${name}"`);
  },
};

type Table = Record<string, AnyFunction>;

class LockedEnvironment extends nunjucks.Environment {
  private tables(): { filters: Table; tests: Table } {
    return this as unknown as { filters: Table; tests: Table };
  }
  hasFilter(name: string): boolean {
    return Object.hasOwn(this.tables().filters, name);
  }
  override getFilter(name: string): AnyFunction {
    if (!this.hasFilter(name))
      throw new AppError('bad_request', `The template uses an unknown filter "${name}"`);
    return this.tables().filters[name]!;
  }
  getTest(name: string): AnyFunction {
    const tests = this.tables().tests;
    if (!Object.hasOwn(tests, name))
      throw new AppError('bad_request', `The template uses an unknown test "${name}"`);
    return tests[name]!;
  }
  override getTemplate(): never {
    throw forbiddenConstruct('include, import or extends');
  }
}

/** Compiled templates are kept per environment; report bodies are rendered on every run. */
const CACHE_SIZE = 256;

/** Creates an environment whose templates cannot reach the runtime (see the file comment). */
export function createHardenedEnvironment(options: HardenedEnvironmentOptions): HardenedEnvironment {
  const env = new LockedEnvironment([refusingLoader], { autoescape: true, throwOnUndefined: false });
  (env as unknown as { globals: Record<string, unknown> }).globals = safeGlobals();
  env.addFilter(TRUTHY_FILTER, jinjaTruthy);
  for (const [name, filter] of Object.entries(options.filters ?? {})) env.addFilter(name, filter);
  const runtime = createRuntime(options);
  const cache = new Map<string, CompiledTemplate>();

  const compile = (source: string): CompiledTemplate => {
    const cached = cache.get(source);
    if (cached) return cached;
    const template = compileTemplate(source, env, (name) => env.hasFilter(name), options.label);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(source, template as unknown as CompiledTemplate);
    return template as unknown as CompiledTemplate;
  };

  return {
    render(source, context) {
      const template = compile(source);
      allowContextFunctions(context);
      // A per-render view of the compiled template substitutes our runtime for the shared one,
      // and keeps the first error before Nunjucks rewraps it into a plain Error.
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
        throw templateError(failure ?? error, options.label, 'render');
      }
    },
  };
}
