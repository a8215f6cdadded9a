/**
 * Comments on reports (SPEC §3). Whoever may run a report reads and writes its comments; editors
 * and admins read (and write) them on every report they may edit. Only the author edits a comment;
 * the author or an admin deletes it. Bodies are stored as written: escaping is the UI's job.
 */
import { z } from 'zod';
import { forbidden, notFound } from '../errors.ts';
import { canEditReport, canRunReport } from '../policies/report-access.ts';
import { nowIso } from '../store/clock.ts';
import { commentRepo } from '../store/comment-repo.ts';
import type { ReportCommentRow } from '../store/tables.ts';
import { inTransaction, type StoreHandle } from '../store/transactions.ts';
import type { AuditService } from './audit.ts';
import type { ReportDefinition } from './report-model.ts';
import type { ReportService } from './reports.ts';
import type { RequestContext } from './request-context.ts';

export const COMMENT_MAX_LENGTH = 5000;

export const commentInputSchema = z.object({
  body: z
    .string()
    .trim()
    .min(1, 'a comment needs some text')
    .max(COMMENT_MAX_LENGTH, `a comment holds at most ${COMMENT_MAX_LENGTH} characters`),
});
export type CommentInput = z.infer<typeof commentInputSchema>;

export interface Comment {
  id: number;
  author: string;
  body: string;
  created_at: string;
  updated_at: string;
  edited: boolean;
}

interface Deps {
  db: StoreHandle;
  reports: ReportService;
  audit: AuditService;
}

function present(row: ReportCommentRow): Comment {
  return {
    id: row.id,
    author: row.author,
    body: row.body,
    created_at: row.created_at,
    updated_at: row.updated_at,
    edited: row.updated_at !== row.created_at,
  };
}

export function commentService({ db, reports, audit }: Deps) {
  const comments = commentRepo(db);
  /** A change and its audit record, in one transaction. */
  const change = <T>(work: (rows: typeof comments, audited: AuditService) => Promise<T>) =>
    inTransaction(db, (trx) => work(commentRepo(trx), audit.on(trx)));

  async function reportFor(ctx: RequestContext, ref: string): Promise<ReportDefinition> {
    const report = await reports.resolve(ctx, ref);
    if (!canRunReport(ctx.principal, report) && !canEditReport(ctx.principal, report)) {
      throw forbidden(`You have no access to the report "${report.slug}"`);
    }
    return report;
  }

  async function commentOf(report: ReportDefinition, id: number): Promise<ReportCommentRow> {
    const row = await comments.find(id);
    if (!row || row.report_id !== report.id) throw notFound(`No comment ${id} on "${report.slug}"`);
    return row;
  }

  return {
    async list(ctx: RequestContext, ref: string): Promise<Comment[]> {
      const report = await reportFor(ctx, ref);
      return (await comments.list(report.id)).map(present);
    },

    async create(ctx: RequestContext, ref: string, input: CommentInput): Promise<Comment> {
      const report = await reportFor(ctx, ref);
      const { body } = commentInputSchema.parse(input);
      const now = nowIso();
      const id = await change(async (rows, audited) => {
        const inserted = await rows.insert({
          report_id: report.id,
          author: ctx.principal.name,
          body,
          created_at: now,
          updated_at: now,
          deleted_at: null,
        });
        await audited.adminChange(ctx, 'comment.create', { report: report.slug, comment: inserted });
        return inserted;
      });
      return present(await commentOf(report, id));
    },

    /** Only the author edits; the old and new text go to the audit record. */
    async update(ctx: RequestContext, ref: string, id: number, input: CommentInput): Promise<Comment> {
      const report = await reportFor(ctx, ref);
      const row = await commentOf(report, id);
      if (row.author !== ctx.principal.name) throw forbidden('Only the author may edit a comment');
      const { body } = commentInputSchema.parse(input);
      await change(async (rows, audited) => {
        await rows.updateBody(id, body, nowIso());
        await audited.adminChange(ctx, 'comment.update', {
          report: report.slug,
          comment: id,
          before: row.body,
          after: body,
        });
      });
      return present(await commentOf(report, id));
    },

    /** The author or an admin deletes; the text stays in the store, hidden, and in the audit. */
    async delete(ctx: RequestContext, ref: string, id: number): Promise<void> {
      const report = await reportFor(ctx, ref);
      const row = await commentOf(report, id);
      if (row.author !== ctx.principal.name && !ctx.principal.isAdmin) {
        throw forbidden('Only the author or an admin may delete a comment');
      }
      await change(async (rows, audited) => {
        await rows.softDelete(id, nowIso());
        await audited.adminChange(ctx, 'comment.delete', {
          report: report.slug,
          comment: id,
          author: row.author,
          body: row.body,
        });
      });
    },
  };
}

export type CommentService = ReturnType<typeof commentService>;
