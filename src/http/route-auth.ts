/**
 * Authorization declared on the route. Each route says who may call it in `config.role`; one
 * onRequest hook authenticates the caller and checks that role before any body is read or any
 * handler runs. A route that declares nothing is for signed-in callers, so forgetting the option
 * can never open a route; public routes (health, sign-in, the web app…) say `public` explicitly.
 * Services check again for the data they return (STYLE.md: "checked again in the service").
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import type { Principal } from '../policies/principal.ts';
import type { AnonymousContext, RequestContext } from '../services/request-context.ts';
import { requireAdmin, requireEditor } from '../services/role-guard.ts';
import type { Authenticator, Caller } from './auth.ts';
import { departureOf } from './route-kit.ts';

export const ROUTE_ROLES = ['public', 'signed-in', 'editor', 'admin'] as const;
export type RouteRole = (typeof ROUTE_ROLES)[number];

/** Route options for the two restricted roles, shared by the route files. */
export const ADMIN = { config: { role: 'admin' } } as const;
export const EDITOR = { config: { role: 'editor' } } as const;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; `signed-in` when left out. */
    role?: RouteRole;
  }
  interface FastifyRequest {
    /** Set by the authorization hook on every route that is not public. */
    caller: Caller | null;
    /** Built once by the hook with the caller: what every service method takes first. */
    requestContext: RequestContext | null;
  }
}

/** A route as declared, with the role the hook enforces on it. */
export interface DeclaredRoute {
  method: string;
  url: string;
  role: RouteRole;
}

const declared = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** Every route the server declared, in order; the route-matrix test walks them. */
export function declaredRoutes(server: FastifyInstance): readonly DeclaredRoute[] {
  return declared.get(server) ?? [];
}

function checkRole(role: RouteRole, principal: Principal) {
  if (role === 'admin') requireAdmin({ principal });
  if (role === 'editor') requireEditor({ principal });
}

/** Registers the route collector and the hook; call before any route is declared. */
export function authorizeRequests(server: FastifyInstance, auth: Authenticator) {
  const routes: DeclaredRoute[] = [];
  declared.set(server, routes);
  server.decorateRequest('caller', null);
  server.decorateRequest('requestContext', null);
  server.addHook('onRoute', (route) => {
    const role = route.config?.role ?? 'signed-in';
    if (!ROUTE_ROLES.includes(role)) {
      throw new Error(`Route ${route.url} declares the unknown role "${String(role)}"`);
    }
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, role });
  });
  server.addHook('onRequest', async (request, reply) => {
    // Unknown paths answer 404 whoever asks; there is nothing behind them to protect.
    if (request.is404) return;
    const role = request.routeOptions.config.role ?? 'signed-in';
    if (role === 'public') return;
    request.caller = await auth.callerOf(request);
    checkRole(role, request.caller.principal);
    const departure = departureOf(reply);
    request.requestContext = {
      ...anonymousContextOf(request),
      principal: request.caller.principal,
      freshness: request,
      // Read by the services that run statements; other routes never build the controller.
      get signal() {
        return departure.signal;
      },
    };
  });
}

/** Address and request id, known before anyone is signed in (sign-in routes audit with them). */
export function anonymousContextOf(request: FastifyRequest): AnonymousContext {
  return { client: request.ip, requestId: request.id };
}

/** The request context of a non-public route (the hook has built it). */
export function contextOf(request: FastifyRequest): RequestContext {
  if (!request.requestContext) {
    throw new AppError('unauthenticated', 'This endpoint needs a signed-in caller');
  }
  return request.requestContext;
}

/** The authenticated caller of a non-public route (the hook has resolved it). */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) {
    throw new AppError('unauthenticated', 'This endpoint needs a signed-in caller');
  }
  return request.caller;
}

export const principalOf = (request: FastifyRequest): Principal => callerOf(request).principal;
