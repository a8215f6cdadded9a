/**
 * One report change, bound to the transaction it runs in: the checks of a save and the writes to
 * the report tables (the row, its groups, fields and sections), with the audit record. Fields are
 * matched by name so their ids — used by `/api/choices/<field_id>/` — stay.
 */
import { AppError, badRequest, conflict } from '../errors.ts';
import { canEditReport } from '../policies/report-access.ts';
import { nowIso } from '../store/clock.ts';
import { clusterRepo } from '../store/cluster-repo.ts';
import { reportRepo } from '../store/report-repo.ts';
import { reportVersionRepo } from '../store/report-version-repo.ts';
import type { ReportRow } from '../store/tables.ts';
import type { StoreHandle } from '../store/transactions.ts';
import type { AuditService } from './audit.ts';
import { BUILTIN_REPORT_SLUGS } from './builtin-reports.ts';
import { reportDefinitions } from './report-definitions.ts';
import {
  type FieldInput,
  type ParsedReportInput,
  type ReportInput,
  reportInputSchema,
  slugify,
} from './report-model.ts';
import { checkReportStatements } from './report-statements.ts';
import type { RequestContext } from './request-context.ts';
import { versionLog } from './version-log.ts';

/** The repositories, version log and audit of one change, all on its transaction. */
export function reportChange(trx: StoreHandle, audit: AuditService) {
  const reports = reportRepo(trx);
  const clusters = clusterRepo(trx);
  return {
    reports,
    clusters,
    log: versionLog(reportVersionRepo(trx)),
    // Its own cache, dropped with the change: a definition read here may yet roll back.
    definitions: reportDefinitions({ reports, clusters }),
    audit: audit.on(trx),
  };
}

export type ReportChange = ReturnType<typeof reportChange>;

export function parseReportInput(raw: ReportInput): ParsedReportInput {
  const parsed = reportInputSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(`Report field "${issue?.path.join('.') ?? '?'}" is invalid: ${issue?.message ?? ''}`);
  }
  return parsed.data;
}

/** A save that passed its checks, ready to write. */
export interface CheckedReport {
  input: ParsedReportInput;
  clusterId: number;
  slug: string;
  existing: ReportRow | undefined;
}

/** Validates a save; `target` is the report a promoted version belongs to. */
export async function checkReport(
  { reports, clusters }: ReportChange,
  ctx: RequestContext,
  raw: ReportInput,
  options: { replace?: boolean | undefined },
  target?: ReportRow,
): Promise<CheckedReport> {
  const input = parseReportInput(raw);
  const cluster = await clusters.findByName(input.cluster);
  if (!cluster) throw badRequest(`Report "${input.name}": no cluster named "${input.cluster}"`);
  checkReportStatements(input, await clusters.members(cluster.id));
  const sameName = await reports.findByName(input.name);
  if (target && sameName && sameName.id !== target.id) {
    throw conflict(`A report named "${input.name}" already exists`);
  }
  const existing = target ?? sameName;
  if (existing && !canEditReport(ctx.principal, { adminOnly: existing.admin_only === 1 })) {
    throw new AppError('forbidden', `You may not change the report "${input.name}"`);
  }
  if (existing && !options.replace) throw conflict(`A report named "${input.name}" already exists`);
  const slug = slugFor(input.name, existing);
  if (slug === '' || /^\d+$/.test(slug)) {
    throw badRequest(
      `Report name "${input.name}" gives the slug "${slug}", which cannot name a report in URLs`,
    );
  }
  if (BUILTIN_REPORT_SLUGS.has(slug)) {
    throw conflict(`The slug "${slug}" of "${input.name}" is reserved for a built-in admin report`);
  }
  const sameSlug = await reports.findBySlug(slug);
  if (sameSlug && sameSlug.id !== existing?.id) {
    throw conflict(`The slug "${slug}" of "${input.name}" is already used by the report "${sameSlug.name}"`);
  }
  return { input, clusterId: cluster.id, slug, existing };
}

/**
 * A saved report keeps its stored slug while its name stays the same, so links made before a
 * change to the slug rule (NFC names, emoji) keep working; a rename takes the new name's slug.
 */
function slugFor(name: string, existing: ReportRow | undefined): string {
  return existing && existing.name === name ? existing.slug : slugify(name);
}

function fieldRow(reportId: number, field: FieldInput, index: number) {
  return {
    report_id: reportId,
    name: field.name,
    label: field.label || field.name,
    type: field.type,
    required: field.required ? 1 : 0,
    default_value: field.default === null ? null : JSON.stringify(field.default),
    help: field.help,
    field_order: field.field_order ?? index,
    choices_json: field.choices === null ? null : JSON.stringify(field.choices),
    choices_sql: field.choices_sql,
  };
}

async function syncFields({ reports }: ReportChange, reportId: number, fields: FieldInput[]) {
  const existing = new Map((await reports.fields(reportId)).map((row) => [row.name, row]));
  for (const [index, field] of fields.entries()) {
    const row = fieldRow(reportId, field, index);
    const current = existing.get(field.name);
    existing.delete(field.name);
    if (current) await reports.updateField(current.id, row);
    else await reports.insertField(row);
  }
  for (const stale of existing.values()) await reports.deleteField(stale.id);
}

/** Writes a checked definition to the report tables and audits it; returns the report id. */
export async function writeReport(change: ReportChange, ctx: RequestContext, checked: CheckedReport) {
  const { reports } = change;
  const { input, slug, existing } = checked;
  const now = nowIso();
  const row = {
    name: input.name,
    slug,
    description: input.description,
    type: input.type,
    sql_body: input.sql,
    cluster_id: checked.clusterId,
    strategy: input.strategy,
    total_fields_json: JSON.stringify(input.total_fields),
    active: input.active ? 1 : 0,
    run_immediate: input.run_immediate ? 1 : 0,
    admin_only: input.admin_only ? 1 : 0,
    output_json: JSON.stringify(input.output),
    updated_at: now,
  };
  const id =
    existing?.id ?? (await reports.insert({ ...row, created_by: ctx.principal.name, created_at: now }));
  if (existing) await reports.update(id, row);
  await reports.setGroups(id, [...new Set(input.groups)]);
  await syncFields(change, id, input.fields);
  await reports.setSections(
    id,
    input.sections.map((section, position) => ({
      report_id: id,
      position,
      title: section.title,
      sql_body: section.sql,
      output_json: JSON.stringify(section.output),
    })),
  );
  // The last write bumps the revision again, so a definition cached half-way is never kept.
  await reports.update(id, { updated_at: now });
  await change.audit.adminChange(ctx, existing ? 'report.update' : 'report.create', {
    name: input.name,
    slug,
  });
  return id;
}
