/**
 * Parses and compiles a template for a hardened environment, working on the syntax tree between
 * the two steps (Nunjucks's own `Template` would parse and compile in one go):
 * - refuses `{% include %}`, `{% import %}`, `{% extends %}`, forbidden names (`constructor`,
 *   `__proto__`, …) and unknown filters before any code exists, with a line number;
 * - gives conditions Jinja2's truthiness: Nunjucks compiles `{% if x %}` to a JavaScript `if`,
 *   where an empty list or dict is true; Jinja2 (the product's contract) treats them as false,
 *   and report bodies rely on that (`{% if _status %}` for a multiselect left empty).
 */
import { createRequire } from 'node:module';
import nunjucks from 'nunjucks';
import { AppError } from '../errors.ts';
import { FORBIDDEN_MEMBERS, FORBIDDEN_NAMES, forbiddenConstruct } from './template-runtime.ts';

interface AstNode {
  typename: string;
  lineno: number;
  colno: number;
  fields: string[];
  value?: unknown;
  [field: string]: unknown;
}
type NodeClass = new (lineno: number, colno: number, ...fields: unknown[]) => AstNode;
interface NunjucksInternals {
  parser: { parse(source: string, extensions: unknown[], options: object): AstNode };
  nodes: Record<string, NodeClass>;
  compiler: { Compiler: new (name: string | undefined, throwOnUndefined: boolean) => Compiler };
}
interface Compiler {
  compile(root: AstNode): void;
  getCode(): string;
}
const internals = nunjucks as unknown as NunjucksInternals;
// Not exported by the package index; it is the step Nunjucks runs between parsing and compiling.
const transformer = createRequire(import.meta.url)('nunjucks/src/transformer.js') as {
  transform(root: AstNode, asyncFilters: string[], name?: string): AstNode;
};

/** The filter that conditions are wrapped in; environments must register `jinjaTruthy` under it. */
export const TRUTHY_FILTER = 'jinja_truthy';

/** Python's truthiness: empty strings, lists, dicts, maps and sets are false. */
export function jinjaTruthy(value: unknown): boolean {
  if (typeof value === 'string' || value instanceof String) return String(value).length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  if (typeof value === 'object' && value !== null) {
    const prototype = Object.getPrototypeOf(value);
    if (prototype === Object.prototype || prototype === null) return Object.keys(value).length > 0;
  }
  return Boolean(value);
}

const REFUSED_TAGS: Record<string, string> = {
  Include: '{% include %}',
  Import: '{% import %}',
  FromImport: '{% from … import %}',
  Extends: '{% extends %}',
};

/** Jinja2's defaults: blocks keep the whitespace around them. */
const PARSE_OPTIONS = { trimBlocks: false, lstripBlocks: false };

function walk(node: AstNode, visit: (node: AstNode) => void): void {
  visit(node);
  for (const field of node.fields) {
    const value = node[field];
    for (const child of Array.isArray(value) ? value : [value]) {
      if (typeof child === 'object' && child !== null && 'typename' in child) walk(child as AstNode, visit);
    }
  }
}

function checkNode(node: AstNode, hasFilter: (name: string) => boolean): void {
  const line = `(line ${node.lineno + 1})`;
  const tag = REFUSED_TAGS[node.typename];
  if (tag) throw forbiddenConstruct(`${tag} ${line}`);
  const key = (node.typename === 'LookupVal' ? node.val : node.typename === 'Pair' ? node.key : undefined) as
    | AstNode
    | undefined;
  const name =
    node.typename === 'Symbol' || key?.typename === 'Literal' ? String((key ?? node).value) : undefined;
  if (name !== undefined && (node.typename === 'LookupVal' ? FORBIDDEN_MEMBERS : FORBIDDEN_NAMES).has(name)) {
    throw forbiddenConstruct(`"${name}" ${line}`);
  }
  if (node.typename === 'Filter' || node.typename === 'FilterAsync') {
    const filter = String((node.name as AstNode).value);
    if (!hasFilter(filter))
      throw new AppError('bad_request', `The template uses an unknown filter "${filter}" ${line}`);
  }
}

/** Nodes whose value is already a boolean. */
const BOOLEAN_NODES = new Set(['Compare', 'Is', 'In', 'Not']);

/** Wraps `node` in the truthiness filter; `and`/`or` in a condition get their operands wrapped. */
function asCondition(node: AstNode): AstNode {
  if (node.typename === 'And' || node.typename === 'Or') {
    node.left = asCondition(node.left as AstNode);
    node.right = asCondition(node.right as AstNode);
    return node;
  }
  if (BOOLEAN_NODES.has(node.typename)) return node;
  const {
    Filter,
    Symbol: SymbolNode,
    NodeList,
  } = internals.nodes as Record<'Filter' | 'Symbol' | 'NodeList', NodeClass>;
  const at = [node.lineno, node.colno] as const;
  return new Filter(...at, new SymbolNode(...at, TRUTHY_FILTER), new NodeList(...at, [node]));
}

function rewriteConditions(node: AstNode): void {
  if (node.typename === 'If' || node.typename === 'IfAsync' || node.typename === 'InlineIf') {
    node.cond = asCondition(node.cond as AstNode);
  } else if (node.typename === 'Not') {
    node.target = asCondition(node.target as AstNode);
  }
}

function cleanMessage(message: string): string {
  return message
    .replace(/Template render error:\s*/g, '')
    .replace(/\((unknown path)\)\s*(\[Line \d+(, Column \d+)?\])?/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A `bad_request` naming the template problem, with its line and column when Nunjucks knows
 * them. Parse errors carry 1-based positions; render errors carry the 0-based line of the last
 * call, which is only worth reporting when it is past the first line.
 */
export function templateError(error: unknown, label: string, phase: 'parse' | 'render' = 'parse'): AppError {
  if (error instanceof AppError) return error;
  const { message, lineno, colno } = (error ?? {}) as { message?: string; lineno?: number; colno?: number };
  let where = '';
  if (phase === 'parse' && typeof lineno === 'number') {
    where = ` at line ${lineno}${typeof colno === 'number' ? `, column ${colno}` : ''}`;
  } else if (phase === 'render' && typeof lineno === 'number' && lineno > 0) {
    where = ` near line ${lineno + 1}`;
  }
  const what = phase === 'parse' ? 'has a syntax error' : 'failed';
  const text = cleanMessage(message ?? String(error));
  return new AppError('bad_request', `The ${label} template ${what}${where}: ${text}`, { cause: error });
}

/**
 * Parses, checks and compiles `source` for `env`. The result is an eagerly compiled Nunjucks
 * `Template`; throws `bad_request` for syntax errors and refused constructs.
 */
export function compileTemplate(
  source: string,
  env: nunjucks.Environment,
  hasFilter: (name: string) => boolean,
  label: string,
): nunjucks.Template {
  let code: string;
  try {
    const root = internals.parser.parse(source, [], PARSE_OPTIONS);
    walk(root, (node) => checkNode(node, hasFilter));
    walk(root, rewriteConditions);
    const compiler = new internals.compiler.Compiler(undefined, false);
    compiler.compile(transformer.transform(root, []));
    code = compiler.getCode();
  } catch (error) {
    throw templateError(error, label);
  }
  // This is how Nunjucks itself turns compiled code into a template (as precompiled templates do).
  const props = new Function(code)() as object;
  const template = { type: 'code', obj: props } as unknown as string;
  return new nunjucks.Template(template, env, undefined, true);
}
