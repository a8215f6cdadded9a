/**
 * Login CSRF: another site must not be able to sign a visitor's browser in to an account of the
 * attacker's choosing (whose reports and schedules the visitor would then fill in). A cross-site
 * HTML form can only send `application/x-www-form-urlencoded`, `multipart/form-data` or
 * `text/plain` without a CORS preflight, so the sign-in takes JSON only; and a browser that tells
 * us where the request comes from (`Origin`, `Sec-Fetch-Site`) must say it is this server.
 * Clients that send neither header (curl, scripts) are not browsers and cannot be forged into
 * sending a request, so they are let through.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

const SAME_SITE_FETCHES = new Set(['same-origin', 'none']);

function mediaTypeOf(request: FastifyRequest): string {
  const header = request.headers['content-type'] ?? '';
  return (header.split(';')[0] ?? '').trim().toLowerCase();
}

/**
 * Whether `origin` is this server. With PUBLIC_URL the origin must be exactly its origin;
 * without it the host (and port) the request was sent to must match. The scheme is not compared
 * then: behind a TLS-terminating proxy without TRUST_PROXY the server sees `http` while the
 * browser says `https`, and an `http://` page of the same host is not a cross-site attacker.
 */
function isOwnOrigin(origin: string, request: FastifyRequest, publicUrl: string | undefined): boolean {
  let sent: URL;
  try {
    sent = new URL(origin);
  } catch {
    return false; // includes the opaque origin "null" of sandboxed frames and some redirects
  }
  if (publicUrl) return sent.origin === new URL(publicUrl).origin;
  // Parsed with the sent scheme so a default port written out (`localhost:80`) compares equal.
  try {
    return sent.host === new URL(`${sent.protocol}//${request.host}`).host;
  } catch {
    return false;
  }
}

/** Throws 415 for a body type an HTML form can send, 403 for a request from another site. */
export function refuseCrossSiteLogin(request: FastifyRequest, publicUrl: string | undefined): void {
  const type = mediaTypeOf(request);
  if (type !== 'application/json') {
    throw new AppError(
      'unsupported_media_type',
      `Sign in with a JSON body (Content-Type: application/json), not ${type ? `"${type}"` : 'an untyped body'}`,
    );
  }
  const fetchSite = request.headers['sec-fetch-site'];
  if (typeof fetchSite === 'string' && !SAME_SITE_FETCHES.has(fetchSite.toLowerCase())) {
    throw new AppError('forbidden', `Sign-in from another site is refused (Sec-Fetch-Site: ${fetchSite})`);
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !isOwnOrigin(origin, request, publicUrl)) {
    throw new AppError('forbidden', `Sign-in from another site is refused (Origin: ${origin})`);
  }
}
