/**
 * Renders the HTML template of a template report (SPEC §3, §4.4): Nunjucks with HTML autoescape
 * on, in a hardened environment that cannot reach the runtime, include files or call anything
 * but macros and its own globals. Rendering is pure: the same template and context give the same
 * output, and nothing outside the context is read.
 */
import { createHardenedEnvironment } from './hardened-nunjucks.ts';

const environment = createHardenedEnvironment({ label: 'HTML' });

/**
 * Renders `template` with `context` (for template reports: `records`, `columns`, `report_name`,
 * `user_email` and the report's parameters). Every printed value is HTML-escaped unless the
 * template marks it `| safe`. Syntax errors and forbidden constructs throw `bad_request`
 * AppErrors naming the problem.
 */
export function renderHtmlTemplate(template: string, context: Record<string, unknown>): string {
  return environment.render(template, context);
}
