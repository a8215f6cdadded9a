/**
 * The review workflow (SPEC §8): draft → in review → approved → live. Users, tokens and schedules
 * run the report tables, which only an admin's save or a promotion changes; editors preview any
 * version through the same run pipeline without making it live.
 */
import { AppError, conflict, forbidden, notFound } from '../errors.ts';
import { canEditReport } from '../policies/report-access.ts';
import { nowIso } from '../store/clock.ts';
import { reportVersionRepo } from '../store/report-version-repo.ts';
import type { ReportVersionRow, VersionState } from '../store/tables.ts';
import { inTransaction, type StoreHandle } from '../store/transactions.ts';
import type { AuditService } from './audit.ts';
import type { RawParams } from './parameters.ts';
import type { ReportDefinition } from './report-model.ts';
import type { ReportRunner, RunOutput } from './report-runner.ts';
import type { ReportService } from './reports.ts';
import type { RequestContext } from './request-context.ts';

interface Deps {
  db: StoreHandle;
  reports: ReportService;
  runner: Pick<ReportRunner, 'runDefinition'>;
  audit: AuditService;
}

export interface VersionSummary {
  number: number;
  state: VersionState;
  author: string;
  created_at: string;
  reviewed_by: string | null;
  reviewed_at: string | null;
}

export interface VersionDetail extends VersionSummary {
  definition: unknown;
  diff: string;
}

export interface PendingVersion extends VersionSummary {
  report: { id: number; name: string; slug: string };
  /** What the version waits for: a reviewer's approval, or a promotion. */
  awaiting: 'approval' | 'promotion';
  /** False for the author of a version in review: someone else must approve it. */
  can_approve: boolean;
}

export const APPROVAL_BY_OTHER = 'approval must come from someone other than the author';

function summary(row: ReportVersionRow): VersionSummary {
  return {
    number: row.number,
    state: row.state,
    author: row.author,
    created_at: row.created_at,
    reviewed_by: row.reviewed_by,
    reviewed_at: row.reviewed_at,
  };
}

type Action = 'submit' | 'approve' | 'reject' | 'promote';

/** The states each action starts from; admins may also publish a draft or a version in review. */
const allowedFrom: Record<Action, readonly VersionState[]> = {
  submit: ['draft'],
  approve: ['in_review'],
  reject: ['draft', 'in_review', 'approved'],
  promote: ['approved'],
};
const adminPromoteFrom: readonly VersionState[] = ['draft', 'in_review', 'approved'];

export function reportVersionService({ db, reports, runner, audit }: Deps) {
  const versions = reportVersionRepo(db);

  /** The report an editor may act on; admin-only reports need an admin. */
  async function editableReport(ctx: RequestContext, ref: string) {
    const report = await reports.resolve(ctx, ref);
    if (!canEditReport(ctx.principal, report)) {
      throw forbidden(`You may not review or change the report "${report.slug}"`);
    }
    return report;
  }

  /** A version of the report, read on `handle`: a change reads the state where it changes it. */
  async function versionOf(report: ReportDefinition, number: number, handle = db) {
    const version = await reportVersionRepo(handle).find(report.id, number);
    if (!version) throw notFound(`The report "${report.slug}" has no version ${number}`);
    return version;
  }

  async function editable(ctx: RequestContext, ref: string, number: number) {
    const report = await editableReport(ctx, ref);
    return { report, version: await versionOf(report, number) };
  }

  function checkState(ctx: RequestContext, action: Action, version: ReportVersionRow) {
    const from = action === 'promote' && ctx.principal.isAdmin ? adminPromoteFrom : allowedFrom[action];
    if (!from.includes(version.state)) {
      const done = { submit: 'submitted', approve: 'approved', reject: 'rejected', promote: 'promoted' };
      throw conflict(
        `Version ${version.number} is ${version.state.replace('_', ' ')}; it cannot be ${done[action]} now`,
      );
    }
  }

  async function transition(
    ctx: RequestContext,
    ref: string,
    number: number,
    action: Exclude<Action, 'promote'>,
    state: VersionState,
  ): Promise<VersionSummary> {
    // Resolved before the transaction: on SQLite a read on the store would wait for it.
    const report = await editableReport(ctx, ref);
    return inTransaction(db, async (trx) => {
      const version = await versionOf(report, number, trx);
      checkState(ctx, action, version);
      if (action === 'approve' && version.author === ctx.principal.name) throw forbidden(APPROVAL_BY_OTHER);
      const reviewed = action === 'submit' ? {} : { reviewed_by: ctx.principal.name, reviewed_at: nowIso() };
      await reportVersionRepo(trx).setState(version.id, { state, ...reviewed });
      await audit
        .on(trx)
        .adminChange(ctx, `report.version.${action}`, { name: report.name, version: number });
      return summary({ ...version, state, ...reviewed });
    });
  }

  return {
    async list(ctx: RequestContext, ref: string): Promise<VersionSummary[]> {
      const report = await reports.resolve(ctx, ref);
      if (!canEditReport(ctx.principal, report))
        throw forbidden(`You may not see the versions of "${report.slug}"`);
      return (await versions.list(report.id)).map(summary);
    },

    async get(ctx: RequestContext, ref: string, number: number): Promise<VersionDetail> {
      const { version } = await editable(ctx, ref, number);
      return {
        ...summary(version),
        definition: JSON.parse(version.definition_json),
        diff: version.diff_text,
      };
    },

    submit: (ctx: RequestContext, ref: string, number: number) =>
      transition(ctx, ref, number, 'submit', 'in_review'),
    /** Approval must come from someone other than the author. */
    approve: (ctx: RequestContext, ref: string, number: number) =>
      transition(ctx, ref, number, 'approve', 'approved'),
    reject: (ctx: RequestContext, ref: string, number: number) =>
      transition(ctx, ref, number, 'reject', 'rejected'),

    /**
     * Makes a version live: its definition goes to the report tables, the previous live is
     * superseded. The report tables and the version states change together or not at all.
     */
    async promote(ctx: RequestContext, ref: string, number: number): Promise<ReportDefinition> {
      const report = await editableReport(ctx, ref);
      return inTransaction(db, async (trx) => {
        const version = await versionOf(report, number, trx);
        checkState(ctx, 'promote', version);
        const document = JSON.parse(version.definition_json);
        const live = await reports.publishDocument(ctx, report.id, document, { within: trx });
        const states = reportVersionRepo(trx);
        await states.supersedeLive(report.id);
        await states.setState(version.id, {
          state: 'live',
          ...(version.reviewed_by ? {} : { reviewed_by: ctx.principal.name, reviewed_at: nowIso() }),
        });
        await audit.on(trx).adminChange(ctx, 'report.version.promote', { name: live.name, version: number });
        return live;
      });
    },

    /** Runs a version's definition with the given parameters; the live report is not touched. */
    async preview(ctx: RequestContext, ref: string, number: number, raw: RawParams): Promise<RunOutput> {
      const { report, version } = await editable(ctx, ref, number);
      const definition = await reports.previewDefinition(report.id, JSON.parse(version.definition_json));
      return runner.runDefinition(ctx, definition, raw);
    },

    /** The editor's "updates": versions in review or approved, on reports the caller may edit. */
    async pending(ctx: RequestContext): Promise<PendingVersion[]> {
      if (!ctx.principal.isEditor) throw new AppError('forbidden', 'This needs an editor or admin');
      return (await versions.awaiting())
        .filter((row) => canEditReport(ctx.principal, { adminOnly: row.admin_only === 1 }))
        .map((row) => ({
          ...summary(row),
          report: { id: row.report_id, name: row.report_name, slug: row.report_slug },
          awaiting: row.state === 'in_review' ? 'approval' : 'promotion',
          can_approve: row.state === 'in_review' && row.author !== ctx.principal.name,
        }));
    },
  };
}

export type ReportVersionService = ReturnType<typeof reportVersionService>;
