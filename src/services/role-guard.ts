/**
 * The service half of "declared on the route, checked again in the service": the same checks, with
 * the same messages, as the route hook (`src/http/route-auth.ts`), so a caller refused by either
 * gets the same 403, and a path that skips the route (the CLI, a job, a future route that forgets
 * its role) still cannot read admin data.
 */
import { AppError, forbidden } from '../errors.ts';
import { canAdminister } from '../policies/report-access.ts';
import type { RequestContext } from './request-context.ts';

export const ADMIN_NEEDED = 'This needs an admin';
export const EDITOR_NEEDED = 'This needs an editor or admin';

/** Throws 403 unless the caller is an admin (users, tokens holding the admin group, `api.user`). */
export function requireAdmin(ctx: Pick<RequestContext, 'principal'>): void {
  if (!canAdminister(ctx.principal)) throw forbidden(ADMIN_NEEDED);
}

/** Throws 403 unless the caller is an editor (every admin is one, see `rolesOf`). */
export function requireEditor(ctx: Pick<RequestContext, 'principal'>): void {
  if (!ctx.principal.isEditor) throw forbidden(EDITOR_NEEDED);
}

/** A report the caller may not read or run; the runner counts it as a refused run by its slug. */
export class ReportRefusedError extends AppError {
  constructor(readonly slug: string) {
    super('forbidden', `You have no access to the report "${slug}"`);
  }
}
