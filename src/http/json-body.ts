/**
 * JSON request bodies: Fastify's own parser (secure-json-parse, refusing `__proto__` and
 * `constructor.prototype` keys) behind a nesting bound. Deeply nested JSON serves no request of
 * this API, and code that walks a parsed value recursively (validation, audit serialisation)
 * would overflow the stack on it, so it is refused before it is parsed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../errors.ts';

/** Far above any body this API takes (a report definition nests about six levels). */
export const MAX_JSON_DEPTH = 64;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** True when brackets nest deeper than `max`; one pass, no recursion, strings skipped. */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) inString = true;
    else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      if (++depth > max) return true;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) depth--;
  }
  return false;
}

const tooDeep = () =>
  badRequest(`The JSON body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`);

type Done = (error: Error | null, body?: unknown) => void;
type JsonParser = (request: FastifyRequest, body: string, done: Done) => void;

/** Fastify's parser, with its prototype-poisoning checks, behind the depth check. */
function boundedParser(server: FastifyInstance): JsonParser {
  const fastifyJson = server.getDefaultJsonParser('error', 'error') as unknown as JsonParser;
  return (request, body, done) => {
    if (nestsDeeperThan(body, MAX_JSON_DEPTH)) done(tooDeep());
    else fastifyJson(request, body, done);
  };
}

/** Replaces the `application/json` parser of the server. */
export function registerJsonBodyParser(server: FastifyInstance): void {
  const parse = boundedParser(server);
  server.removeContentTypeParser('application/json');
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    parse(request, body as string, done),
  );
}

/** The same parsing for a body read by hand (a GET's), so both paths refuse the same input. */
export function parseJsonBody(request: FastifyRequest, text: string): Promise<unknown> {
  const parse = boundedParser(request.server);
  return new Promise((resolve, reject) => {
    parse(request, text, (error, body) => {
      if (!error) resolve(body);
      else if (error instanceof Error && 'code' in error && error.code === 'bad_request') reject(error);
      else reject(badRequest('The JSON body cannot be parsed'));
    });
  });
}
