/**
 * Report definitions: resolve by id or slug, save (create or replace by name, each save a version),
 * list, delete.
 * Fields are matched by name on save so their ids — used by `/api/choices/<field_id>/` — stay.
 */
import { AppError, badRequest, conflict, forbidden, notFound } from '../errors.ts';
import { canEditReport, canReadReport } from '../policies/report-access.ts';
import { nowIso } from '../store/clock.ts';
import type { clusterRepo } from '../store/cluster-repo.ts';
import type { reportRepo } from '../store/report-repo.ts';
import type { reportVersionRepo } from '../store/report-version-repo.ts';
import type { ReportRow, ReportVersionRow } from '../store/tables.ts';
import type { AuditService } from './audit.ts';
import { BUILTIN_REPORT_SLUGS } from './builtin-reports.ts';
import { fieldDefinition, reportDefinitions } from './report-definitions.ts';
import {
  type FieldDefinition,
  type FieldInput,
  type ParsedReportInput,
  type ReportDefinition,
  type ReportInput,
  reportInputSchema,
  slugify,
  slugKey,
} from './report-model.ts';
import { checkReportStatements } from './report-statements.ts';
import type { RequestContext } from './request-context.ts';
import { ReportRefusedError } from './role-guard.ts';
import { documentOfInput, versionLog } from './version-log.ts';

interface Deps {
  reports: ReturnType<typeof reportRepo>;
  versions: ReturnType<typeof reportVersionRepo>;
  clusters: ReturnType<typeof clusterRepo>;
  audit: AuditService;
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

/** Why an editor's delete of a live report is refused, and the two ways that do work. */
export const liveDeletionMessage = (name: string) =>
  `The report "${name}" is live: an admin deletes it, or an editor saves it with active: false ` +
  '(a draft someone else approves and promotes) and may delete it once it is inactive';

export function reportService({ reports, versions, clusters, audit }: Deps) {
  const log = versionLog(versions);
  const { definition, unstoredDefinition } = reportDefinitions({ reports, clusters });

  async function syncFields(reportId: number, fields: FieldInput[]) {
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

  function parseInput(raw: ReportInput): ParsedReportInput {
    const parsed = reportInputSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw badRequest(`Report field "${issue?.path.join('.') ?? '?'}" is invalid: ${issue?.message ?? ''}`);
    }
    return parsed.data;
  }

  /** Validates a save; `target` is the report a promoted version belongs to. */
  async function check(
    ctx: RequestContext,
    raw: ReportInput,
    options: { replace?: boolean },
    target?: ReportRow,
  ) {
    const input = parseInput(raw);
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
      throw conflict(
        `The slug "${slug}" of "${input.name}" is already used by the report "${sameSlug.name}"`,
      );
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

  /** Writes a checked definition to the report tables; returns the report id. */
  async function write(ctx: RequestContext, checked: Awaited<ReturnType<typeof check>>): Promise<number> {
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
    let id: number;
    if (existing) {
      id = existing.id;
      await reports.update(id, row);
    } else {
      id = await reports.insert({ ...row, created_by: ctx.principal.name, created_at: now });
    }
    await reports.setGroups(id, [...new Set(input.groups)]);
    await syncFields(id, input.fields);
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
    await audit.adminChange(ctx, existing ? 'report.update' : 'report.create', {
      name: input.name,
      slug,
    });
    return id;
  }

  return {
    /**
     * `ref` is a numeric id or a slug; a trailing `/` is ignored. The caller must be allowed to
     * read the definition (`canReadReport`); callers then apply their own, stricter check
     * (running needs `canRunReport`, changing `canEditReport`).
     */
    async resolve(ctx: RequestContext, ref: string): Promise<ReportDefinition> {
      const key = ref.replace(/\/+$/, '');
      const row = /^\d+$/.test(key)
        ? await reports.findById(Number(key))
        : ((await reports.findBySlug(slugKey(key))) ?? (await reports.findBySlug(key.toLowerCase())));
      if (!row) throw notFound(`No report "${key}"`);
      const report = await definition(row);
      if (!canReadReport(ctx.principal, report)) throw new ReportRefusedError(report.slug);
      return report;
    },

    /** Editors and admins get every report; anyone else the reports they may run. */
    async list(ctx: RequestContext): Promise<ReportDefinition[]> {
      const all = await Promise.all((await reports.list()).map(definition));
      return all.filter((report) => canReadReport(ctx.principal, report));
    },

    async field(fieldId: number): Promise<{ field: FieldDefinition; reportId: number }> {
      const row = await reports.findField(fieldId);
      if (!row) throw notFound(`No report field ${fieldId}`);
      return { field: fieldDefinition(row), reportId: row.report_id };
    },

    async definitionById(id: number): Promise<ReportDefinition> {
      const row = await reports.findById(id);
      if (!row) throw notFound(`No report ${id}`);
      return definition(row);
    },

    /** Creates a report, or with `replace` overwrites the one of the same name; see `saveVersion`. */
    async save(
      ctx: RequestContext,
      raw: ReportInput,
      options: { replace?: boolean } = {},
    ): Promise<ReportDefinition> {
      return (await this.saveVersion(ctx, raw, options)).report;
    },

    /**
     * Every save is a version. An admin's save publishes at once: the report tables change and the
     * version is live. Anyone else's save is a draft that leaves the live definition alone; a new
     * report is created inactive, so only admins can run it until the draft is promoted.
     */
    async saveVersion(
      ctx: RequestContext,
      raw: ReportInput,
      options: { replace?: boolean } = {},
    ): Promise<{ report: ReportDefinition; version: ReportVersionRow }> {
      const checked = await check(ctx, raw, options);
      const document = documentOfInput(checked.input);
      const current = checked.existing ? await definition(checked.existing) : undefined;
      if (ctx.principal.isAdmin) {
        const id = await write(ctx, checked);
        const version = await log.record(id, document, ctx.principal.name, 'live', current);
        return { report: await this.definitionById(id), version };
      }
      if (current) {
        const version = await log.record(current.id, document, ctx.principal.name, 'draft', current);
        await audit.adminChange(ctx, 'report.draft', {
          name: current.name,
          version: version.number,
        });
        return { report: current, version };
      }
      const id = await write(ctx, { ...checked, input: { ...checked.input, active: false } });
      const version = await log.record(id, document, ctx.principal.name, 'draft');
      return { report: await this.definitionById(id), version };
    },

    /** Writes a stored version's document to the report tables: promotion makes it live. */
    async publishDocument(
      ctx: RequestContext,
      reportId: number,
      document: unknown,
    ): Promise<ReportDefinition> {
      const target = await reports.findById(reportId);
      if (!target) throw notFound(`No report ${reportId}`);
      await write(ctx, await check(ctx, document as ReportInput, { replace: true }, target));
      return this.definitionById(reportId);
    },

    /** A version's document as a runnable definition of its report, without making it live. */
    async previewDefinition(reportId: number, document: unknown): Promise<ReportDefinition> {
      const live = await this.definitionById(reportId);
      return unstoredDefinition(parseInput(document as ReportInput), live);
    },

    /**
     * An editor's unsaved state as a runnable definition: validated like a save, never stored.
     * It carries no report id, so field choices load directly from their lists or SQL.
     */
    async unsavedDefinition(ctx: RequestContext, document: unknown): Promise<ReportDefinition> {
      const input = parseInput(document as ReportInput);
      if (!canEditReport(ctx.principal, { adminOnly: input.admin_only })) {
        throw new AppError('forbidden', `You may not preview the admin-only report "${input.name}"`);
      }
      const now = nowIso();
      const base = {
        id: 0,
        slug: slugify(input.name),
        createdBy: ctx.principal.name,
        createdAt: now,
        updatedAt: now,
      };
      return unstoredDefinition(input, base);
    },

    /**
     * Soft delete (see `markDeleted`). A live (active) report disappears for everyone who runs
     * it, so an editor alone may not do that: an admin deletes it, or an editor first saves it
     * with `active: false` — a draft that someone else must approve before it is promoted.
     */
    async delete(ctx: RequestContext, ref: string): Promise<void> {
      const report = await this.resolve(ctx, ref);
      if (!canEditReport(ctx.principal, report))
        throw new AppError('forbidden', `You may not delete "${report.name}"`);
      if (report.active && !ctx.principal.isAdmin) throw forbidden(liveDeletionMessage(report.name));
      const row = await reports.findById(report.id);
      if (!row) throw notFound(`No report "${ref}"`);
      await reports.markDeleted(row, nowIso());
      await reports.deleteSchedules(report.id);
      await audit.adminChange(ctx, 'report.delete', { name: report.name, slug: report.slug });
    },
  };
}

export type ReportService = ReturnType<typeof reportService>;
