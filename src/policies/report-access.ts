import type { Principal } from './principal.ts';

export interface ReportAccessFacts {
  active: boolean;
  adminOnly: boolean;
  groups: readonly string[];
}

/**
 * A report runs for admins, and for others when it is active and shares a group with them.
 * `*` in the report's groups admits every signed-in user and every token that holds `*`.
 */
export function canRunReport(principal: Principal, report: ReportAccessFacts): boolean {
  if (principal.isAdmin) return true;
  if (!report.active) return false;
  return report.groups.some((group) =>
    group === '*'
      ? principal.kind === 'user' || principal.groups.includes('*')
      : principal.groups.includes(group),
  );
}

/** The SQL body of a report is shown to editors and admins only. */
export function canSeeReportSql(principal: Principal): boolean {
  return principal.isEditor || principal.isAdmin;
}

/**
 * Who may read a report's definition: editors and admins every report (they list and review
 * them all), anyone else the reports they may run. The SQL itself still needs `canSeeReportSql`.
 */
export function canReadReport(principal: Principal, report: ReportAccessFacts): boolean {
  return canSeeReportSql(principal) || canRunReport(principal, report);
}

/** Editors change reports, except admin-only ones, which only admins change. */
export function canEditReport(principal: Principal, report: Pick<ReportAccessFacts, 'adminOnly'>): boolean {
  return principal.isAdmin || (principal.isEditor && !report.adminOnly);
}

export function canAdminister(principal: Principal): boolean {
  return principal.isAdmin;
}
