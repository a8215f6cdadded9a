/** The HTTP edge: Fastify with security headers, body limits, the error envelope and the routes. */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../app.ts';
import type { Config } from '../config.ts';
import type { Metrics } from '../observability/metrics.ts';
import { GROUP_IMAGE_MAX_BYTES } from '../services/group-lists.ts';
import type { MetadataStore } from '../store/db.ts';
import type { AttemptLimits } from '../store/rate-limit-store.ts';
import { type Authenticator, authenticator } from './auth.ts';
import { handleError } from './error-handler.ts';
import { registerJsonBodyParser } from './json-body.ts';
import { registerOpenApi, zodCompilers } from './openapi.ts';
import { observeRequests, rememberingPrincipals, requestIdOf } from './request-observability.ts';
import { authorizeRequests } from './route-auth.ts';
import { invalidInput } from './route-kit.ts';
import { adminAuditRoutes } from './routes/admin-audit.ts';
import { adminBundleRoutes } from './routes/admin-bundles.ts';
import { adminClusterRoutes } from './routes/admin-clusters.ts';
import { adminConnectionRoutes } from './routes/admin-connections.ts';
import { adminGroupRoutes } from './routes/admin-groups.ts';
import { adminReportRoutes } from './routes/admin-reports.ts';
import { adminTokenRoutes } from './routes/admin-tokens.ts';
import { adminUserRoutes } from './routes/admin-users.ts';
import { authRoutes } from './routes/auth.ts';
import { commentRoutes } from './routes/comments.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { reportApiRoutes } from './routes/report-api.ts';
import { reportListRoutes } from './routes/report-list.ts';
import { reportMailRoutes } from './routes/report-mail.ts';
import { reportPreviewRoutes } from './routes/report-preview.ts';
import { reportVersionRoutes } from './routes/report-versions.ts';
import { scheduleRoutes } from './routes/schedules.ts';
import { templatePageRoutes } from './routes/template-page.ts';
import { webAppRoutes } from './routes/web-app.ts';
import { helmetHeaders, SECURITY_HEADER_OPTIONS, sendSecurityHeaders } from './security-headers.ts';

export interface ServerDeps {
  config: Readonly<Config>;
  services: Services;
  store: MetadataStore;
  /** Failed sign-in and token attempts, counted in the store for every instance. */
  attemptLimits: AttemptLimits;
  metrics: Metrics;
  /** The app's logger; the store and jobs write to the same one. */
  log: FastifyBaseLogger;
  /** `draining` turns on at shutdown, before the listener closes. */
  lifecycle: { readonly draining: boolean };
}

export interface RouteDeps extends ServerDeps {
  auth: Authenticator;
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const server = Fastify({
    loggerInstance: deps.log,
    // One line per request, written by observeRequests, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdOf,
    trustProxy: deps.config.trustProxy,
    bodyLimit: 1_048_576,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // A zod complaint about params, query or body becomes the envelope's 400 naming the field.
    schemaErrorFormatter: invalidInput(),
    schemaController: { compilersFactory: zodCompilers },
  });
  observeRequests(server, deps.metrics);
  const auth = rememberingPrincipals(
    authenticator({
      tokens: deps.services.tokens,
      users: deps.services.users,
      attemptLimits: deps.attemptLimits,
      onFailure: (kind) => deps.metrics.authFailures.inc({ kind }),
    }),
  );
  sendSecurityHeaders(server, helmetHeaders(SECURITY_HEADER_OPTIONS));
  await server.register(formbody);
  // Only group images are uploaded; routes may lower these limits, never raise them.
  await server.register(multipart, {
    limits: { fileSize: GROUP_IMAGE_MAX_BYTES, files: 1, fields: 10, parts: 11 },
  });
  await server.register(cookie);
  // After the cookie parser (sessions need it) and before any route, so every route is
  // collected and checked by the one hook.
  authorizeRequests(server, auth);
  registerJsonBodyParser(server);
  server.addContentTypeParser(
    ['application/yaml', 'text/yaml', 'text/plain'],
    { parseAs: 'string' },
    (_r, body, done) => done(null, body),
  );
  server.setErrorHandler(handleError);
  registerOpenApi(server);
  const routeDeps: RouteDeps = { ...deps, auth };
  const api = server.withTypeProvider<ZodTypeProvider>();
  for (const routes of [
    healthRoutes,
    metricsRoutes,
    reportApiRoutes,
    reportMailRoutes,
    templatePageRoutes,
    adminTokenRoutes,
    adminConnectionRoutes,
    adminClusterRoutes,
    adminReportRoutes,
    adminBundleRoutes,
    authRoutes,
    adminUserRoutes,
    adminAuditRoutes,
    adminGroupRoutes,
    reportListRoutes,
    scheduleRoutes,
    reportVersionRoutes,
    reportPreviewRoutes,
    commentRoutes,
  ])
    routes(api, routeDeps);
  // Last: the web app answers the GETs no route above claims.
  webAppRoutes(server, routeDeps);
  return server;
}
