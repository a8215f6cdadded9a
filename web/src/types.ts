/** Shapes of the JSON API's records, as the app uses them. */

export type FieldType =
  | 'text'
  | 'integer'
  | 'number'
  | 'date'
  | 'datetime'
  | 'boolean'
  | 'select'
  | 'multiselect';

export interface Choice {
  value: string | number | boolean;
  label?: string;
}

export interface Field {
  id?: number;
  name: string;
  label: string;
  type: FieldType;
  required: boolean;
  default: string | number | boolean | string[] | null;
  help?: string;
  field_order?: number;
  choices: Choice[] | null;
  has_choices_sql?: boolean;
  choices_sql?: string | null;
}

export type GraphSettings = {
  type?: 'bar' | 'line' | 'area' | 'pie' | 'scatter';
  x?: string;
  y?: string[];
  series?: string;
};

export interface ReportOutputSettings {
  display: 'table' | 'graph' | 'card';
  graph?: GraphSettings;
  html_template?: string;
}

export interface Section {
  title: string;
  sql?: string;
  output?: ReportOutputSettings;
}

export interface Report {
  id: number;
  name: string;
  slug: string;
  description: string;
  type: 'result' | 'panel' | 'template';
  sql?: string;
  cluster: string;
  strategy: 'balance' | 'consolidate' | 'distribute';
  total_fields: string[];
  active: boolean;
  run_immediate: boolean;
  admin_only: boolean;
  groups: string[];
  output: ReportOutputSettings;
  fields: Field[];
  sections: Section[];
}

export interface GroupPicture {
  name: string;
  description: string;
  image: string | null;
}

export interface Me {
  kind: 'token' | 'user' | 'internal';
  name: string;
  email: string | null;
  groups: string[];
  is_admin: boolean;
  is_editor: boolean;
  csrf_token?: string;
}

export type Row = Record<string, unknown>;

export type VersionState = 'draft' | 'in_review' | 'approved' | 'live' | 'superseded' | 'rejected';

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
  awaiting: 'approval' | 'promotion';
  can_approve: boolean;
}
