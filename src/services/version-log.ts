/**
 * The version history of reports (SPEC §8): every save is stored as the document a bundle exports,
 * with a unified diff of its YAML rendering against the previous version.
 */
import { lazyRequire } from '../lazy-require.ts';
import { nowIso } from '../store/clock.ts';
import type { reportVersionRepo } from '../store/report-version-repo.ts';
import type { ReportVersionRow, VersionState } from '../store/tables.ts';
import type { ParsedReportInput, ReportDefinition } from './report-model.ts';

// The first saved version loads these (about 90 files), not the start-up.
const yaml = lazyRequire<typeof import('yaml')>('yaml');
const diff = lazyRequire<typeof import('diff')>('diff');

/** A report as bundles export it; versions store exactly this. */
export type ReportDocument = ReturnType<typeof documentOf>;

/** JSON round trip: drops `undefined` members so a document compares equal to its stored form. */
const canonical = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/** The bundle shape of a live definition. */
export function documentOf(report: ReportDefinition) {
  return canonical({
    name: report.name,
    description: report.description,
    type: report.type,
    sql: report.sql,
    cluster: report.cluster,
    strategy: report.strategy,
    total_fields: report.totalFields,
    active: report.active,
    run_immediate: report.runImmediate,
    admin_only: report.adminOnly,
    groups: report.groups,
    output: report.output,
    fields: report.fields.map(({ id: _id, ...field }) => field),
    sections: report.sections,
  });
}

/** The same shape from a validated input, as the report tables would hold it once saved. */
export function documentOfInput(input: ParsedReportInput): ReportDocument {
  const fields = input.fields
    .map((field, index) => ({
      name: field.name,
      label: field.label || field.name,
      type: field.type,
      required: field.required,
      default: field.default,
      help: field.help,
      field_order: field.field_order ?? index,
      choices: field.choices,
      choices_sql: field.choices_sql,
    }))
    .sort((a, b) => a.field_order - b.field_order);
  return canonical({
    name: input.name,
    description: input.description,
    type: input.type,
    sql: input.sql,
    cluster: input.cluster,
    strategy: input.strategy,
    total_fields: input.total_fields,
    active: input.active,
    run_immediate: input.run_immediate,
    admin_only: input.admin_only,
    groups: [...new Set(input.groups)].sort(),
    output: input.output,
    fields,
    sections: input.sections,
  });
}

export function versionDiff(before: ReportVersionRow | undefined, document: unknown, number: number) {
  const old = before ? yaml().stringify(JSON.parse(before.definition_json)) : '';
  return diff().createTwoFilesPatch(
    before ? `version ${before.number}` : 'empty',
    `version ${number}`,
    old,
    yaml().stringify(document),
  );
}

export function versionLog(versions: ReturnType<typeof reportVersionRepo>) {
  async function insert(reportId: number, document: unknown, author: string, state: VersionState) {
    const previous = await versions.latest(reportId);
    const number = (previous?.number ?? 0) + 1;
    if (state === 'live') await versions.supersedeLive(reportId);
    await versions.insert({
      report_id: reportId,
      number,
      definition_json: JSON.stringify(document),
      author,
      created_at: nowIso(),
      state,
      reviewed_by: null,
      reviewed_at: null,
      diff_text: versionDiff(previous, document, number),
    });
    return (await versions.find(reportId, number)) as ReportVersionRow;
  }

  return {
    /**
     * Records a save. A report saved before versions existed first gets its current definition
     * as a live version 1, so the new version's diff shows the change. Publishing a document equal
     * to the live version (an idempotent bundle import) adds no version.
     */
    async record(
      reportId: number,
      document: ReportDocument,
      author: string,
      state: 'live' | 'draft',
      current?: ReportDefinition,
    ): Promise<ReportVersionRow> {
      if (current && !(await versions.latest(reportId))) {
        await insert(reportId, documentOf(current), current.createdBy, 'live');
      }
      const live = await versions.live(reportId);
      if (state === 'live' && live && live.definition_json === JSON.stringify(document)) return live;
      return insert(reportId, document, author, state);
    },
  };
}

export type VersionLog = ReturnType<typeof versionLog>;
