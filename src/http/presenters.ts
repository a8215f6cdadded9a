/** Allow-lists from domain objects to JSON; nothing reaches a reply that is not named here. */
import type { Principal } from '../policies/principal.ts';
import { canSeeReportSql } from '../policies/report-access.ts';
import type { ReportDefinition } from '../services/report-model.ts';

export function presentReport(report: ReportDefinition, viewer: Principal) {
  const showSql = canSeeReportSql(viewer);
  return {
    id: report.id,
    name: report.name,
    slug: report.slug,
    description: report.description,
    type: report.type,
    ...(showSql ? { sql: report.sql } : {}),
    cluster: report.cluster,
    strategy: report.strategy,
    total_fields: report.totalFields,
    active: report.active,
    run_immediate: report.runImmediate,
    admin_only: report.adminOnly,
    groups: report.groups,
    output: report.output,
    fields: [...report.fields]
      .sort((a, b) => a.field_order - b.field_order)
      .map((field) => ({
        id: field.id,
        name: field.name,
        label: field.label,
        type: field.type,
        required: field.required,
        default: field.default,
        help: field.help,
        field_order: field.field_order,
        choices: field.choices,
        has_choices_sql: field.choices_sql !== null,
        ...(showSql ? { choices_sql: field.choices_sql } : {}),
      })),
    sections: report.sections.map((section) => ({
      title: section.title,
      ...(showSql ? { sql: section.sql } : {}),
      output: section.output,
    })),
    created_by: report.createdBy,
    created_at: report.createdAt,
    updated_at: report.updatedAt,
  };
}
