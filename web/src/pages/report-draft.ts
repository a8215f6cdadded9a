/** The editor's working copy of a report, and its conversion to and from the admin API's shape. */
import { choicesToText, type DraftField, textToChoices } from '../components/FieldsEditor.tsx';
import type { Field, Report, ReportOutputSettings, Section } from '../records.ts';

/** A section being edited: its SQL is always there (a save requires it), its output may not be yet. */
export type DraftSection = Omit<Section, 'sql' | 'output'> & { sql: string; output?: Section['output'] };

export interface Draft {
  name: string;
  description: string;
  type: Report['type'];
  sql: string;
  cluster: string;
  strategy: Report['strategy'];
  groups: string[];
  total_fields: string[];
  active: boolean;
  run_immediate: boolean;
  output: ReportOutputSettings;
  fields: DraftField[];
  sections: DraftSection[];
}

export const emptyDraft = (): Draft => ({
  name: '',
  description: '',
  type: 'result',
  sql: 'select 1 as one',
  cluster: '',
  strategy: 'balance',
  groups: ['*'],
  total_fields: [],
  active: true,
  run_immediate: false,
  output: { display: 'table' },
  fields: [],
  sections: [],
});

const defaultText = (value: Field['default']) =>
  value === null ? '' : Array.isArray(value) ? value.join(',') : String(value);

export function draftOf(report: Report): Draft {
  return {
    name: report.name,
    description: report.description,
    type: report.type,
    sql: report.sql ?? '',
    cluster: report.cluster,
    strategy: report.strategy,
    groups: report.groups,
    total_fields: report.total_fields,
    active: report.active,
    run_immediate: report.run_immediate,
    output: report.output,
    fields: report.fields.map((field) => ({
      ...field,
      default: defaultText(field.default),
      choicesText: choicesToText(field.choices),
      choices_sql: field.choices_sql ?? null,
    })),
    sections: report.sections.map((section) => ({ ...section, sql: section.sql ?? '' })),
  };
}

function parseDefault(field: DraftField): Field['default'] {
  const text = field.default.trim();
  if (text === '') return null;
  if (field.type === 'integer' || field.type === 'number')
    return Number.isNaN(Number(text)) ? text : Number(text);
  if (field.type === 'boolean') return text === 'true' || text === '1' || text === 'Y';
  if (field.type === 'multiselect') return text.split(',').map((item) => item.trim());
  return text;
}

/** The body of POST/PUT /api/admin/reports/. */
export function bodyOf(draft: Draft) {
  const graph = draft.output.display === 'graph' ? draft.output.graph : undefined;
  return {
    ...draft,
    output: {
      display: draft.output.display,
      ...(graph ? { graph } : {}),
      ...(draft.type === 'template' ? { html_template: draft.output.html_template ?? '' } : {}),
    },
    fields: draft.fields.map(({ choicesText, id: _id, has_choices_sql: _has, ...field }, index) => ({
      ...field,
      default: parseDefault({ ...field, choicesText, default: field.default }),
      choices: textToChoices(choicesText),
      choices_sql: field.choices_sql?.trim() ? field.choices_sql : null,
      field_order: index + 1,
    })),
    sections: draft.type === 'panel' ? draft.sections : [],
  };
}
