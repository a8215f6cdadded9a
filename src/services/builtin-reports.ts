/**
 * Built-in admin reports over the metadata store (tokens, audit). They run through the same
 * `/api/call/<slug>/` pipeline as stored reports, so every writer (JSON, CSV, NDJSON) serves them,
 * but only admins and tokens holding the admin group may run or describe them. Stored reports
 * cannot take their slugs.
 */
import type { Column, JsonValue } from '../datasources/driver.ts';
import { forbidden } from '../errors.ts';
import type { Principal } from '../policies/principal.ts';
import { canAdminister } from '../policies/report-access.ts';
import type { AuditService } from './audit.ts';
import { coerceParameters, type ParamValue, type RawParams } from './parameters.ts';
import type { FieldDefinition, ReportDefinition } from './report-model.ts';
import type { RunOutput } from './report-runner.ts';
import type { RequestContext } from './request-context.ts';
import type { TokenService } from './tokens.ts';
import type { UserService } from './users.ts';

/** Slugs no stored report may take. */
export const BUILTIN_REPORT_SLUGS: ReadonlySet<string> = new Set([
  'admin-tokens',
  'admin-audit',
  'admin-users',
]);

export interface BuiltinReport {
  slug: string;
  name: string;
  description: string;
  columns: Column[];
  fields: FieldDefinition[];
  /** Reads through the admin services with the caller's context, so they check the role again. */
  run(ctx: RequestContext, params: Record<string, ParamValue>): Promise<Record<string, unknown>[]>;
}

interface Deps {
  tokens: Pick<TokenService, 'list'>;
  audit: AuditService;
  /** Without it, `admin-users` is not offered. */
  users?: Pick<UserService, 'list'>;
  adminGroup: string;
}

const DAY_MS = 86_400_000;
/** The audit report is read into memory, so it stops at this many rows. */
const AUDIT_ROW_CAP = 10_000;

const columnsOf = (spec: Record<string, string>): Column[] =>
  Object.entries(spec).map(([name, type]) => ({ name, type }));

function field(name: string, type: FieldDefinition['type'], label: string, help: string, order: number) {
  const defaults = { required: false, default: null, choices: null, choices_sql: null };
  return { ...defaults, id: 0, name, type, label, help, field_order: order } satisfies FieldDefinition;
}

function usersReport(users: Pick<UserService, 'list'>): BuiltinReport {
  return {
    slug: 'admin-users',
    name: 'Admin users',
    description: 'Every user: sign-in methods, groups, roles, last login and active sessions.',
    columns: columnsOf({
      email: 'text',
      sign_in: 'text',
      groups: 'text',
      is_admin: 'boolean',
      is_editor: 'boolean',
      last_login: 'timestamp',
      created: 'timestamp',
      active_sessions: 'integer',
    }),
    fields: [],
    // Groups as a comma list, like the token listing, so CSV stays one value per cell.
    run: async (ctx) => (await users.list(ctx)).map((user) => ({ ...user, groups: user.groups.join(',') })),
  };
}

function registry({ tokens, audit, users }: Deps): BuiltinReport[] {
  return [
    ...(users ? [usersReport(users)] : []),
    {
      slug: 'admin-tokens',
      name: 'Admin tokens',
      description: 'Every API token: name, groups, creator, creation and expiry, and whether it is active.',
      columns: columnsOf({
        active: 'text',
        age_days: 'integer',
        created: 'timestamp',
        created_by: 'text',
        expiry: 'timestamp',
        groups: 'text',
        name: 'text',
      }),
      fields: [],
      run: async (ctx) => (await tokens.list(ctx)).map((token) => ({ ...token })),
    },
    {
      slug: 'admin-audit',
      name: 'Admin audit',
      description: `Recent audit records, newest first (at most ${AUDIT_ROW_CAP}).`,
      columns: columnsOf({
        at: 'timestamp',
        principal: 'text',
        action: 'text',
        report: 'text',
        connections: 'text',
        sql: 'text',
        params: 'json',
        row_count: 'integer',
        duration_ms: 'integer',
        outcome: 'text',
        error: 'text',
        client: 'text',
        request_id: 'text',
      }),
      fields: [
        field('_principal', 'text', 'Principal', 'Only records of this user email or token name', 0),
        field('_report', 'text', 'Report', 'Only records of this report slug', 1),
        { ...field('_days', 'integer', 'Days', 'How many days back (default 7)', 2), default: 7 },
      ],
      run: async (ctx, params) => {
        const days = Math.max(1, Number(params._days ?? 7));
        const text = (value: ParamValue | undefined) =>
          typeof value === 'string' && value !== '' ? value : undefined;
        const records = await audit.search(ctx, {
          principal: text(params._principal),
          report: text(params._report),
          from: new Date(Date.now() - days * DAY_MS).toISOString(),
          limit: AUDIT_ROW_CAP,
        });
        return records.map((record) => ({ ...record }));
      },
    },
  ];
}

function definitionOf(report: BuiltinReport, adminGroup: string): ReportDefinition {
  return {
    id: 0,
    name: report.name,
    slug: report.slug,
    description: report.description,
    type: 'result',
    sql: '',
    clusterId: 0,
    cluster: 'metadata',
    strategy: 'balance',
    totalFields: [],
    active: true,
    runImmediate: false,
    adminOnly: true,
    groups: [adminGroup],
    output: { display: 'table' },
    fields: report.fields,
    sections: [],
    createdBy: 'api.user',
    createdAt: '1970-01-01T00:00:00.000Z',
    updatedAt: '1970-01-01T00:00:00.000Z',
  };
}

/** Rows in column order, as one batch; values are plain JSON already. */
function toBatch(columns: Column[], records: Record<string, unknown>[]): JsonValue[][] {
  return records.map((record) => columns.map((column) => (record[column.name] ?? null) as JsonValue));
}

export function builtinReports(deps: Deps) {
  const bySlug = new Map(registry(deps).map((report) => [report.slug, report]));
  const find = (ref: string) => bySlug.get(ref.replace(/\/+$/, '').toLowerCase());

  function authorize(report: BuiltinReport, principal: Principal): ReportDefinition {
    if (!canAdminister(principal)) throw forbidden(`You have no access to the report "${report.slug}"`);
    return definitionOf(report, deps.adminGroup);
  }

  return {
    slugs: [...bySlug.keys()],

    /** The definition of a built-in report, or undefined when `ref` names none; 403 for non-admins. */
    authorized(ref: string, principal: Principal): ReportDefinition | undefined {
      const report = find(ref);
      return report && authorize(report, principal);
    },

    /** Runs a built-in report, or returns undefined when `ref` names none. */
    async run(ctx: RequestContext, ref: string, raw: RawParams): Promise<RunOutput | undefined> {
      const report = find(ref);
      if (!report) return undefined;
      const definition = authorize(report, ctx.principal);
      const started = performance.now();
      const params = await coerceParameters(report.fields, raw, [], async () => []);
      const rows = toBatch(report.columns, await report.run(ctx, params));
      await deps.audit.reportRun(ctx, {
        report: report.slug,
        connections: [],
        sql: `built-in report ${report.slug}`,
        params,
        rowCount: rows.length,
        durationMs: performance.now() - started,
        outcome: 'ok',
      });
      const batches = (async function* () {
        if (rows.length > 0) yield rows;
      })();
      return { kind: 'table', report: definition, columns: report.columns, rows: batches };
    },
  };
}

export type BuiltinReports = ReturnType<typeof builtinReports>;
