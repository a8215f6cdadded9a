import { z } from 'zod';
import { choiceSchema, fieldInputSchema, reportInputSchema } from '../../services/report-model.ts';
import { exactly } from '../envelope.ts';
import type { presentReport } from '../presenters.ts';
import { invalidInput, reportRef } from '../route-kit.ts';

export const reportParams = z.object({ report: reportRef });
export const createReportBody = reportInputSchema;
/** A replacement keeps the report's name when the body leaves it out. */
export const replaceReportBody = z.object({
  ...reportInputSchema.shape,
  name: reportInputSchema.shape.name.optional(),
});
/** Body complaints read as the report service words them. */
export const invalidReport = invalidInput('Report field');

const field = z.object({
  id: z.number(),
  name: z.string(),
  label: z.string(),
  type: fieldInputSchema.shape.type.unwrap(),
  required: z.boolean(),
  default: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]).nullable(),
  help: z.string(),
  field_order: z.number(),
  choices: z.array(choiceSchema).nullable(),
  has_choices_sql: z.boolean(),
  /** Editors and admins only, as `sql`. */
  choices_sql: z.string().nullable().optional(),
});
const output = z.object({
  display: z.enum(['table', 'graph', 'card']),
  graph: z.record(z.string(), z.unknown()).optional(),
  html_template: z.string().optional(),
});

/** A report as `presentReport` shows it; `sql` only for callers who may see it. */
export const reportRecord = exactly<ReturnType<typeof presentReport>>()(
  z.object({
    id: z.number(),
    name: z.string(),
    slug: z.string(),
    description: z.string(),
    type: z.enum(['result', 'panel', 'template']),
    sql: z.string().optional(),
    cluster: z.string(),
    strategy: z.enum(['balance', 'consolidate', 'distribute']),
    total_fields: z.array(z.string()),
    active: z.boolean(),
    run_immediate: z.boolean(),
    admin_only: z.boolean(),
    groups: z.array(z.string()),
    output,
    fields: z.array(field),
    sections: z.array(z.object({ title: z.string(), sql: z.string().optional(), output })),
    created_by: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  }),
);

/** A save's answer: the report and the version the save made (a draft unless an admin saved). */
export const savedReportRecord = reportRecord.extend({
  version: z.object({ number: z.number(), state: z.string() }),
});
