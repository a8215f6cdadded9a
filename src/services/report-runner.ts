/**
 * The one run pipeline (SPEC §4) behind the API, the UI, mail and schedules: resolve, authorize,
 * coerce parameters, render the SQL template, bind, execute on the cluster, audit.
 */
import type { Column, DriverName, JsonValue } from '../datasources/driver.ts';
import { drivers } from '../datasources/registry.ts';
import { AppError } from '../errors.ts';
import type { Principal } from '../policies/principal.ts';
import { canEditReport, canRunReport } from '../policies/report-access.ts';
import { bindParameters, findBindNames } from '../sql/bind-parameters.ts';
import { assertReadOnlyStatement } from '../sql/read-only-statement.ts';
import { renderSqlTemplate } from '../sql/sql-template.ts';
import type { clusterRepo } from '../store/cluster-repo.ts';
import { accessGroupObject } from './access-groups.ts';
import type { AuditService } from './audit.ts';
import type { BuiltinReports } from './builtin-reports.ts';
import { type ClusterMember, type ResultStream, strategies } from './cluster-executor.ts';
import type { ConnectionService } from './connections.ts';
import { databaseRows, fromDatabase } from './database-failure.ts';
import { memberHealth } from './member-health.ts';
import { type FreshnessScope, type MetadataCache, uncached } from './metadata-cache.ts';
import { bindValues, coerceParameters, type ParamValue, type RawParams } from './parameters.ts';
import type { FieldDefinition, ReportDefinition } from './report-model.ts';
import type { ReportService } from './reports.ts';
import type { RequestContext } from './request-context.ts';
import { ReportRefusedError } from './role-guard.ts';
import { outcomeOf, type RunObserver, refusedRun } from './run-observer.ts';

export interface Section {
  title: string;
  columns: Column[];
  rows: JsonValue[][];
}

export type RunOutput =
  | { kind: 'table'; report: ReportDefinition; columns: Column[]; rows: AsyncIterable<JsonValue[][]> }
  | { kind: 'sections'; report: ReportDefinition; sections: Section[] };

interface Deps {
  reports: ReportService;
  clusters: ReturnType<typeof clusterRepo>;
  connections: ConnectionService;
  audit: AuditService;
  hostname: string;
  /** Row-level security: the `access_group` template value for a principal. */
  accessGroups?: {
    fragmentsFor(principal: Principal, scope?: FreshnessScope): Promise<Record<string, unknown>>;
  };
  /** Where cluster members are found between writes to the cluster and connection tables. */
  metadata?: MetadataCache;
  /** Admin reports over the metadata store, served before stored reports are looked up. */
  builtins?: BuiltinReports;
  /** Told about every stored report's run when it ends, rows included. */
  observer?: RunObserver;
}

/** Without access-group entries every table's fragment is `1=0` (no rows). */
const noAccessGroups = accessGroupObject(new Map());

export function reportRunner(deps: Deps) {
  const { reports, clusters, connections, audit, metadata = uncached } = deps;

  async function membersOf(ctx: RequestContext, report: ReportDefinition) {
    const all = await metadata.get(
      `members:${report.clusterId}`,
      () => clusters.members(report.clusterId),
      ctx.freshness ?? ctx,
    );
    const rows = all.filter((row) => row.active === 1);
    if (rows.length === 0) {
      throw new AppError('database_unreachable', `The cluster "${report.cluster}" has no active connection`);
    }
    return rows.map((row) => ({
      name: row.name,
      source: connections.dataSource(row),
      dialect: drivers[row.driver as DriverName].dialect,
      timeoutMs: row.statement_timeout_ms,
    }));
  }

  async function templateContext(
    ctx: RequestContext,
    report: ReportDefinition,
    params: Record<string, ParamValue>,
    sqlBodies: readonly string[],
  ) {
    const { principal } = ctx;
    // Entries are read only when the SQL can print one; otherwise the deny-all value stands.
    const wantsAccessGroups = deps.accessGroups && sqlBodies.some((sql) => sql.includes('access_group'));
    const accessGroup = wantsAccessGroups
      ? await deps.accessGroups?.fragmentsFor(principal, ctx.freshness ?? ctx)
      : noAccessGroups;
    return {
      ...params,
      report_name: report.name,
      user_email: principal.email ?? principal.name,
      user_groups: [...principal.groups],
      host: deps.hostname,
      cluster: report.cluster,
      access_group: accessGroup ?? noAccessGroups,
    };
  }

  /** What a run sent where, kept as it goes so a failed run is audited with it too. */
  interface RunTrace {
    sql: string[];
    connections: Set<string>;
  }

  /** `signal` apart from `ctx`: choices run without one, and reading it builds the controller. */
  async function execute(
    ctx: RequestContext,
    report: ReportDefinition,
    sqlBody: string,
    context: Record<string, unknown>,
    params: Record<string, ParamValue>,
    signal?: AbortSignal,
    trace?: RunTrace,
  ): Promise<ResultStream & { sql: string }> {
    const { principal } = ctx;
    const members = await membersOf(ctx, report);
    let renderedSql = '';
    const prepared: ClusterMember[] = members.map((member) => {
      const rendered = renderSqlTemplate(sqlBody, context, member.dialect);
      // Checked again at every run, so a definition saved before the rule still cannot write.
      assertReadOnlyStatement(rendered, member.dialect);
      renderedSql ||= rendered;
      const bound = bindParameters(rendered, params, member.dialect);
      return {
        name: member.name,
        source: member.source,
        request: { sql: bound.sql, values: bound.values, timeoutMs: member.timeoutMs, signal },
      };
    });
    trace?.sql.push(renderedSql);
    // Until it answers, every member the statement was prepared for is where it was sent.
    for (const member of members) trace?.connections.add(member.name);
    // Only what the database says is marked; parameter and template errors above keep their words.
    const stream = await strategies[report.strategy](prepared, memberHealth, report.clusterId).catch(
      (error: unknown) => {
        throw fromDatabase(error, principal);
      },
    );
    return { ...stream, rows: databaseRows(stream.rows, principal), sql: renderedSql };
  }

  async function loadChoices(ctx: RequestContext, report: ReportDefinition, field: FieldDefinition) {
    if (field.choices)
      return field.choices.map((c) => ({ value: c.value, label: c.label ?? String(c.value) }));
    if (!field.choices_sql) return [];
    const context = await templateContext(ctx, report, {}, [field.choices_sql]);
    const stream = await execute(ctx, { ...report, strategy: 'balance' }, field.choices_sql, context, {});
    const choices: Array<{ value: JsonValue; label: string }> = [];
    for await (const batch of stream.rows) {
      for (const row of batch) choices.push({ value: row[0] ?? null, label: String(row[1] ?? row[0] ?? '') });
    }
    return choices;
  }

  /** Resolves a report (built-in first) and lets it through when `allowed` says so. */
  async function resolveFor(
    ctx: RequestContext,
    ref: string,
    allowed: (report: ReportDefinition) => boolean,
  ): Promise<ReportDefinition> {
    const builtin = deps.builtins?.authorized(ref, ctx.principal);
    if (builtin) return builtin;
    const report = await reports.resolve(ctx, ref);
    if (!allowed(report)) throw new ReportRefusedError(report.slug);
    return report;
  }

  const authorized = (ctx: RequestContext, ref: string) =>
    resolveFor(ctx, ref, (report) => canRunReport(ctx.principal, report));

  /** A definition is shown to whoever may run the report, and to editors who may change it. */
  const describable = (ctx: RequestContext, ref: string) =>
    resolveFor(
      ctx,
      ref,
      (report) => canRunReport(ctx.principal, report) || canEditReport(ctx.principal, report),
    );

  /** Counts rows as they stream and writes the audit record when the stream ends. */
  function audited(
    rows: AsyncIterable<JsonValue[][]>,
    onEnd: (count: number, error?: unknown) => Promise<void>,
  ) {
    return (async function* () {
      let count = 0;
      let failure: unknown;
      try {
        for await (const batch of rows) {
          count += batch.length;
          yield batch;
        }
      } catch (error) {
        failure = error;
        throw error;
      } finally {
        await onEnd(count, failure).catch(() => {});
      }
    })();
  }

  /**
   * Parameters, template, execution and audit for a definition the caller has authorized: stored
   * reports after the group check, and a version's preview after the editor check.
   */
  async function runDefinition(
    ctx: RequestContext,
    report: ReportDefinition,
    raw: RawParams,
  ): Promise<RunOutput> {
    const bodies = report.type === 'panel' ? report.sections.map((s) => s.sql) : [report.sql];
    let params: Record<string, ParamValue> | undefined;
    const started = performance.now();
    const trace: RunTrace = { sql: [], connections: new Set() };
    const auditRun = (sql: string, names: string[], rowCount: number | null, error?: unknown) => {
      const durationMs = performance.now() - started;
      deps.observer?.runFinished({
        report: report.slug,
        connections: names,
        outcome: outcomeOf(error),
        durationMs,
        rows: rowCount,
      });
      return audit.reportRun(ctx, {
        report: report.slug,
        connections: names,
        sql,
        // What the caller sent, when it did not pass validation.
        params: params ?? raw,
        rowCount,
        durationMs,
        outcome: error ? 'error' : 'ok',
        error: error instanceof Error ? error.message : undefined,
      });
    };
    try {
      params = await coerceParameters(
        report.fields,
        raw,
        bodies.flatMap((body) => findBindNames(body)),
        (field) => loadChoices(ctx, report, field),
      );
      // Templates see numbers; the database gets integers as integers (see bindValues).
      const bound = bindValues(report.fields, params);
      const context = await templateContext(ctx, report, params, bodies);
      if (report.type === 'panel') {
        const sections: Section[] = [];
        const answered = new Set<string>();
        for (const section of report.sections) {
          const stream = await execute(ctx, report, section.sql, context, bound, ctx.signal, trace);
          const rows: JsonValue[][] = [];
          for await (const batch of stream.rows) rows.push(...batch);
          sections.push({ title: section.title, columns: stream.columns, rows });
          for (const name of stream.connections) answered.add(name);
        }
        const rowCount = sections.reduce((n, s) => n + s.rows.length, 0);
        // The SQL each section rendered and sent, in section order.
        await auditRun(trace.sql.join('\n;\n'), [...answered], rowCount);
        return { kind: 'sections', report, sections };
      }
      const stream = await execute(ctx, report, report.sql, context, bound, ctx.signal, trace);
      const rows = audited(stream.rows, (count, error) =>
        auditRun(stream.sql, stream.connections, count, error),
      );
      return { kind: 'table', report, columns: stream.columns, rows };
    } catch (error) {
      // A failed run keeps what it rendered and where it sent it; a run refused before
      // rendering (bad parameters) has neither, and records the SQL template instead.
      const sql = trace.sql.length > 0 ? trace.sql.join('\n;\n') : bodies.join('\n;\n');
      await auditRun(sql, [...trace.connections], null, error).catch(() => {});
      throw error;
    }
  }

  return {
    authorized,
    describable,

    async run(ctx: RequestContext, ref: string, raw: RawParams): Promise<RunOutput> {
      const builtin = await deps.builtins?.run(ctx, ref, raw);
      if (builtin) return builtin;
      const report = await authorized(ctx, ref).catch((error: unknown) => {
        // Refused by the runner's check or by `reports.resolve`: counted as a forbidden run.
        if (error instanceof ReportRefusedError) deps.observer?.runFinished(refusedRun(error.slug));
        throw error;
      });
      return runDefinition(ctx, report, raw);
    },

    runDefinition,

    /** The choices of a field, for anyone who may run its report. */
    async choices(ctx: RequestContext, fieldId: number) {
      const { field, reportId } = await reports.field(fieldId);
      const report = await authorized(ctx, String(reportId));
      return loadChoices(ctx, report, field);
    },
  };
}

export type ReportRunner = ReturnType<typeof reportRunner>;
