/**
 * Report definitions as the runner sees them: loaded from the store (cached per instance by the
 * report's revision, so an edit on any instance is seen at the next call), or built from input
 * that is run without being stored (previews of versions and of an editor's unsaved state).
 */
import { badRequest } from '../errors.ts';
import type { clusterRepo } from '../store/cluster-repo.ts';
import type { reportRepo } from '../store/report-repo.ts';
import type { ReportFieldRow, ReportRow } from '../store/tables.ts';
import type { FieldDefinition, ParsedReportInput, ReportDefinition } from './report-model.ts';

/** Definitions kept per instance; a row whose revision moved on is loaded again. */
const CACHE_SIZE = 500;

export function fieldDefinition(row: ReportFieldRow): FieldDefinition {
  return {
    id: row.id,
    name: row.name,
    label: row.label,
    type: row.type as FieldDefinition['type'],
    required: row.required === 1,
    default: row.default_value === null ? null : JSON.parse(row.default_value),
    help: row.help,
    field_order: row.field_order,
    choices: row.choices_json === null ? null : JSON.parse(row.choices_json),
    choices_sql: row.choices_sql,
  };
}

interface Deps {
  reports: ReturnType<typeof reportRepo>;
  clusters: ReturnType<typeof clusterRepo>;
}

export function reportDefinitions({ reports, clusters }: Deps) {
  const cache = new Map<number, { revision: number; definition: ReportDefinition }>();

  async function definition(row: ReportRow): Promise<ReportDefinition> {
    const cached = cache.get(row.id);
    if (cached && cached.revision === row.revision) return cached.definition;
    const loaded = await load(row);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as number);
    cache.set(row.id, { revision: row.revision, definition: loaded });
    return loaded;
  }

  async function load(row: ReportRow): Promise<ReportDefinition> {
    const [groups, fields, sections, cluster] = await Promise.all([
      reports.groups(row.id),
      reports.fields(row.id),
      reports.sections(row.id),
      clusters.findById(row.cluster_id),
    ]);
    return {
      id: row.id,
      name: row.name,
      slug: row.slug,
      description: row.description,
      type: row.type as ReportDefinition['type'],
      sql: row.sql_body,
      clusterId: row.cluster_id,
      cluster: cluster?.name ?? '',
      strategy: row.strategy as ReportDefinition['strategy'],
      totalFields: JSON.parse(row.total_fields_json),
      active: row.active === 1,
      runImmediate: row.run_immediate === 1,
      adminOnly: row.admin_only === 1,
      groups,
      output: JSON.parse(row.output_json),
      fields: fields.map(fieldDefinition),
      sections: sections.map((section) => ({
        title: section.title,
        sql: section.sql_body,
        output: JSON.parse(section.output_json),
      })),
      createdBy: row.created_by,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  /** A definition built from input that is run but not stored (previews of versions and drafts). */
  async function unstoredDefinition(
    input: ParsedReportInput,
    base: Pick<ReportDefinition, 'id' | 'slug' | 'createdBy' | 'createdAt' | 'updatedAt'>,
  ): Promise<ReportDefinition> {
    const cluster = await clusters.findByName(input.cluster);
    if (!cluster) throw badRequest(`Report "${input.name}": no cluster named "${input.cluster}"`);
    return {
      ...base,
      name: input.name,
      description: input.description,
      type: input.type,
      sql: input.sql,
      clusterId: cluster.id,
      cluster: cluster.name,
      strategy: input.strategy,
      totalFields: input.total_fields,
      active: input.active,
      runImmediate: input.run_immediate,
      adminOnly: input.admin_only,
      groups: [...new Set(input.groups)],
      output: input.output,
      // Field ids serve `/api/choices/`; an unstored definition loads its choices directly.
      fields: input.fields.map((field, index) => ({
        ...field,
        id: 0,
        field_order: field.field_order ?? index,
      })),
      sections: input.sections,
    };
  }

  return { definition, unstoredDefinition };
}
