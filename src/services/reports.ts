/**
 * Report definitions: resolve by id or slug, save (create or replace by name, each save a version,
 * in one transaction with the report tables), list, delete.
 */
import { AppError, forbidden, notFound } from '../errors.ts';
import { canEditReport, canReadReport } from '../policies/report-access.ts';
import { nowIso } from '../store/clock.ts';
import { clusterRepo } from '../store/cluster-repo.ts';
import { reportRepo } from '../store/report-repo.ts';
import type { ReportVersionRow } from '../store/tables.ts';
import { type ChangeOptions, inTransaction, type StoreHandle } from '../store/transactions.ts';
import type { AuditService } from './audit.ts';
import { type MetadataCache, uncached } from './metadata-cache.ts';
import { fieldDefinition, reportDefinitions } from './report-definitions.ts';
import {
  type FieldDefinition,
  type ReportDefinition,
  type ReportInput,
  slugify,
  slugKey,
} from './report-model.ts';
import {
  checkReport,
  parseReportInput,
  type ReportChange,
  reportChange,
  writeReport,
} from './report-writes.ts';
import type { RequestContext } from './request-context.ts';
import { ReportRefusedError } from './role-guard.ts';
import { documentOfInput } from './version-log.ts';

interface Deps {
  db: StoreHandle;
  audit: AuditService;
  /** Where `resolve` finds definitions between writes to the report tables. */
  metadata?: MetadataCache;
}

type SaveOptions = { replace?: boolean } & ChangeOptions;
type SavedVersion = { report: ReportDefinition; version: ReportVersionRow };

/** Why an editor's delete of a live report is refused, and the two ways that do work. */
export const liveDeletionMessage = (name: string) =>
  `The report "${name}" is live: an admin deletes it, or an editor saves it with active: false ` +
  '(a draft someone else approves and promotes) and may delete it once it is inactive';

export function reportService({ db, audit, metadata = uncached }: Deps) {
  const reports = reportRepo(db);
  const { definition, unstoredDefinition } = reportDefinitions({ reports, clusters: clusterRepo(db) });

  /** A stored definition as the change sees it (not cached: the change may roll back). */
  async function definitionIn(change: ReportChange, id: number): Promise<ReportDefinition> {
    const row = await change.reports.findById(id);
    if (!row) throw notFound(`No report ${id}`);
    return change.definitions.definition(row);
  }

  async function definitionById(id: number): Promise<ReportDefinition> {
    const row = await reports.findById(id);
    if (!row) throw notFound(`No report ${id}`);
    return definition(row);
  }

  async function load(key: string): Promise<ReportDefinition> {
    const row = /^\d+$/.test(key)
      ? await reports.findById(Number(key))
      : ((await reports.findBySlug(slugKey(key))) ?? (await reports.findBySlug(key.toLowerCase())));
    if (!row) throw notFound(`No report "${key}"`);
    return definition(row);
  }

  async function resolve(ctx: RequestContext, ref: string): Promise<ReportDefinition> {
    const key = ref.replace(/\/+$/, '');
    const report = await metadata.get(`report:${key}`, () => load(key), ctx.freshness ?? ctx);
    if (!canReadReport(ctx.principal, report)) throw new ReportRefusedError(report.slug);
    return report;
  }

  /** See `saveVersion`; runs inside the change's transaction. */
  async function saveIn(
    change: ReportChange,
    ctx: RequestContext,
    raw: ReportInput,
    options: SaveOptions,
  ): Promise<SavedVersion> {
    const checked = await checkReport(change, ctx, raw, options);
    const document = documentOfInput(checked.input);
    const current = checked.existing ? await change.definitions.definition(checked.existing) : undefined;
    const author = ctx.principal.name;
    if (ctx.principal.isAdmin) {
      const id = await writeReport(change, ctx, checked);
      const version = await change.log.record(id, document, author, 'live', current);
      return { report: await definitionIn(change, id), version };
    }
    if (current) {
      const version = await change.log.record(current.id, document, author, 'draft', current);
      await change.audit.adminChange(ctx, 'report.draft', { name: current.name, version: version.number });
      return { report: current, version };
    }
    const id = await writeReport(change, ctx, { ...checked, input: { ...checked.input, active: false } });
    const version = await change.log.record(id, document, author, 'draft');
    return { report: await definitionIn(change, id), version };
  }

  /**
   * Every save is a version. An admin's save publishes at once: the report tables change and the
   * version is live. Anyone else's save is a draft that leaves the live definition alone; a new
   * report is created inactive, so only admins can run it until the draft is promoted. The
   * report row, its fields, sections and groups, the version and the audit record are one
   * transaction: a save that fails half-way leaves nothing behind.
   */
  function saveVersion(ctx: RequestContext, raw: ReportInput, options: SaveOptions = {}) {
    return inTransaction(options.within ?? db, (trx) => saveIn(reportChange(trx, audit), ctx, raw, options));
  }

  return {
    /**
     * `ref` is a numeric id or a slug; a trailing `/` is ignored. The caller must be allowed to
     * read the definition (`canReadReport`); callers then apply their own, stricter check
     * (running needs `canRunReport`, changing `canEditReport`).
     */
    resolve,

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

    definitionById,

    /** Creates a report, or with `replace` overwrites the one of the same name; see `saveVersion`. */
    async save(ctx: RequestContext, raw: ReportInput, options: SaveOptions = {}): Promise<ReportDefinition> {
      return (await saveVersion(ctx, raw, options)).report;
    },

    saveVersion,

    /** Writes a stored version's document to the report tables: promotion makes it live. */
    publishDocument(
      ctx: RequestContext,
      reportId: number,
      document: unknown,
      options: ChangeOptions = {},
    ): Promise<ReportDefinition> {
      return inTransaction(options.within ?? db, async (trx) => {
        const change = reportChange(trx, audit);
        const target = await change.reports.findById(reportId);
        if (!target) throw notFound(`No report ${reportId}`);
        await writeReport(
          change,
          ctx,
          await checkReport(change, ctx, document as ReportInput, { replace: true }, target),
        );
        return definitionIn(change, reportId);
      });
    },

    /** A version's document as a runnable definition of its report, without making it live. */
    async previewDefinition(reportId: number, document: unknown): Promise<ReportDefinition> {
      const live = await definitionById(reportId);
      return unstoredDefinition(parseReportInput(document as ReportInput), live);
    },

    /**
     * An editor's unsaved state as a runnable definition: validated like a save, never stored.
     * It carries no report id, so field choices load directly from their lists or SQL.
     */
    async unsavedDefinition(ctx: RequestContext, document: unknown): Promise<ReportDefinition> {
      const input = parseReportInput(document as ReportInput);
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
      const report = await resolve(ctx, ref);
      if (!canEditReport(ctx.principal, report))
        throw new AppError('forbidden', `You may not delete "${report.name}"`);
      if (report.active && !ctx.principal.isAdmin) throw forbidden(liveDeletionMessage(report.name));
      await inTransaction(db, async (trx) => {
        const rows = reportRepo(trx);
        const row = await rows.findById(report.id);
        if (!row) throw notFound(`No report "${ref}"`);
        await rows.markDeleted(row, nowIso());
        await rows.deleteSchedules(report.id);
        await audit.on(trx).adminChange(ctx, 'report.delete', { name: report.name, slug: report.slug });
      });
    },
  };
}

export type ReportService = ReturnType<typeof reportService>;
