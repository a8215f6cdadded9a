/**
 * The report definition as services see it, and the schema that every way of saving one (admin
 * API, bundles, demo) validates against.
 */
import { z } from 'zod';

export const fieldTypes = [
  'text',
  'integer',
  'number',
  'date',
  'datetime',
  'boolean',
  'select',
  'multiselect',
] as const;
export type FieldType = (typeof fieldTypes)[number];

const bindName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'must be a bind variable name: letters, digits and _, not starting with a digit',
  );

export const choiceSchema = z.object({
  value: z.union([z.string(), z.number(), z.boolean()]),
  label: z.string().optional(),
});

export const fieldInputSchema = z.object({
  name: bindName,
  label: z.string().default(''),
  type: z.enum(fieldTypes).default('text'),
  required: z.boolean().default(false),
  default: z
    .union([z.string(), z.number(), z.boolean(), z.array(z.string())])
    .nullable()
    .default(null),
  help: z.string().default(''),
  field_order: z.number().int().optional(),
  choices: z.array(choiceSchema).nullable().default(null),
  choices_sql: z.string().nullable().default(null),
});

export const outputSchema = z
  .object({
    display: z.enum(['table', 'graph', 'card']).default('table'),
    graph: z.record(z.string(), z.unknown()).optional(),
    html_template: z.string().optional(),
  })
  .default({ display: 'table' });

export const sectionInputSchema = z.object({
  title: z.string().min(1),
  sql: z.string().min(1),
  output: outputSchema,
});

export const reportInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().default(''),
    type: z.enum(['result', 'panel', 'template']).default('result'),
    sql: z.string().default(''),
    cluster: z.string().min(1),
    strategy: z.enum(['balance', 'consolidate', 'distribute']).default('balance'),
    total_fields: z.array(z.string()).default([]),
    active: z.boolean().default(true),
    run_immediate: z.boolean().default(false),
    admin_only: z.boolean().default(false),
    groups: z.array(z.string().min(1)).default([]),
    output: outputSchema,
    fields: z.array(fieldInputSchema).default([]),
    sections: z.array(sectionInputSchema).default([]),
  })
  .superRefine((report, ctx) => {
    if (report.type === 'panel' && report.sections.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['sections'],
        message: 'a panel report needs at least one section',
      });
    }
    if (report.type !== 'panel' && report.sql.trim() === '') {
      ctx.addIssue({ code: 'custom', path: ['sql'], message: 'the SQL body is empty' });
    }
    if (report.type === 'template' && !report.output.html_template) {
      ctx.addIssue({
        code: 'custom',
        path: ['output', 'html_template'],
        message: 'a template report needs an HTML template',
      });
    }
    const names = new Set<string>();
    for (const [index, field] of report.fields.entries()) {
      if (names.has(field.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['fields', index, 'name'],
          message: `duplicate field "${field.name}"`,
        });
      }
      names.add(field.name);
    }
  });

export type ReportInput = z.input<typeof reportInputSchema>;
export type ParsedReportInput = z.output<typeof reportInputSchema>;
export type FieldInput = z.output<typeof fieldInputSchema>;
export type ReportOutput = z.output<typeof outputSchema>;

export interface FieldDefinition extends FieldInput {
  id: number;
  field_order: number;
}

export interface SectionDefinition {
  title: string;
  sql: string;
  output: ReportOutput;
}

export interface ReportDefinition {
  id: number;
  name: string;
  slug: string;
  description: string;
  type: 'result' | 'panel' | 'template';
  sql: string;
  clusterId: number;
  cluster: string;
  strategy: 'balance' | 'consolidate' | 'distribute';
  totalFields: string[];
  active: boolean;
  runImmediate: boolean;
  adminOnly: boolean;
  groups: string[];
  output: ReportOutput;
  fields: FieldDefinition[];
  sections: SectionDefinition[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * Emoji and the marks that build them (joiners, variation selectors, skin tones, keycaps, flag
 * letters and tags): removed whole, before spaces become `-`, so `📈 Sales` gives `sales`, not a
 * slug that starts with `-` or keeps a stray selector.
 */
const EMOJI =
  /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u200d|\ufe0e|\ufe0f|\u20e3|[\u{e0020}-\u{e007f}]/gu;

/**
 * SPEC: lower case, spaces → `-` ("GST Balance" → "gst-balance"); other URL-unsafe marks dropped.
 * The name is put in Unicode NFC first, so `Café` typed with a composed é or with e + a
 * combining accent gives the same slug `café`, as does a URL naming it either way (resolve).
 */
export function slugify(name: string): string {
  return name
    .normalize('NFC')
    .replace(EMOJI, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '-')
    .replace(/[^\p{L}\p{N}_-]/gu, '');
}

/** How a URL's report reference is looked up: the same normalisation as `slugify`. */
export function slugKey(ref: string): string {
  return ref.normalize('NFC').toLowerCase();
}
