/**
 * The OpenAPI 3 document of the HTTP API, served at `GET /api/openapi.json` without credentials
 * (it holds no secrets). It is generated from the routes' own zod schemas (params, querystring,
 * body, response) and the summary, tags and description each route declares beside its handler;
 * the same schemas validate requests (fastify-type-provider-zod), so document and server agree.
 */
import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyServerOptions, RouteOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { SESSION_COOKIE } from './session-cookie.ts';

function readVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** A public route needs no credentials; the document says so from the role, not from a second list. */
function markPublic(route: RouteOptions) {
  if (route.config?.role !== 'public') return;
  route.schema = { ...(route.schema ?? {}), security: [] } as RouteOptions['schema'];
}

/**
 * Fastify's `schemaController.compilersFactory`: every route's schemas are zod, validated and
 * serialised by fastify-type-provider-zod. Given at construction, Fastify never loads its default
 * compilers (ajv and fast-json-stringify, about 130 files), which it would otherwise require at
 * start-up before `setValidatorCompiler` could replace them.
 */
export const zodCompilers = {
  buildValidator: () => validatorCompiler,
  buildSerializer: () => serializerCompiler,
  // Fastify types the factories by its default (ajv) compilers; at run time any compiler is taken.
} as unknown as NonNullable<FastifyServerOptions['schemaController']>['compilersFactory'];

/** Registers the document generator and its route; call before any route. */
export async function registerOpenApi(server: FastifyInstance) {
  server.addHook('onRoute', markPublic);
  await server.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Secure Reporter',
        version: readVersion(),
        description:
          'Every JSON answer is `{"message", "ok", "records"}`. Tokens go in the Authorization header only.',
      },
      components: {
        securitySchemes: {
          basicAuth: {
            type: 'http',
            scheme: 'basic',
            description: 'A token: `Authorization: Basic base64(<name>:<secret>)`',
          },
          sessionCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: 'Browser session (HttpOnly); state-changing calls also need the CSRF token',
          },
        },
      },
      security: [{ basicAuth: [] }, { sessionCookie: [] }],
    },
    transform: jsonSchemaTransform,
  });
  server.get(
    '/api/openapi.json',
    { config: { role: 'public' }, schema: { summary: 'This OpenAPI document', tags: ['health'] } },
    async () => server.swagger(),
  );
}
