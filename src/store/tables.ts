/**
 * Row types of the metadata store, shared by SQLite and PostgreSQL. Booleans are stored as 0/1
 * and times as ISO-8601 UTC text so one schema and one migration set serve both dialects.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export interface ConnectionTable {
  id: Generated<number>;
  name: string;
  driver: string;
  /** Driver settings without secrets, as JSON. */
  settings_json: string;
  /** Secret settings (passwords), AES-256-GCM encrypted with the server key. */
  secrets_encrypted: string;
  active: number;
  statement_timeout_ms: number;
  pool_size: number;
  /** The last privilege probe's result as JSON (services/connections.ts); null before the first. */
  privilege_check_json: string | null;
  created_at: string;
  updated_at: string;
}

export interface ClusterTable {
  id: Generated<number>;
  name: string;
  created_at: string;
}

export interface ClusterMemberTable {
  cluster_id: number;
  connection_id: number;
  position: number;
}

export interface ReportTable {
  id: Generated<number>;
  name: string;
  slug: string;
  description: string;
  type: string;
  sql_body: string;
  cluster_id: number;
  strategy: string;
  /** JSON list of column names that get a totals row. */
  total_fields_json: string;
  active: number;
  run_immediate: number;
  admin_only: number;
  /** JSON of display, graph settings and HTML template. */
  output_json: string;
  /** Bumped on every save; cached definitions compare it. */
  revision: Generated<number>;
  created_by: string;
  created_at: string;
  updated_at: string;
  /** Set when the report was deleted; the row stays for its versions, comments and audit. */
  deleted_at: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ReportGroupTable {
  report_id: number;
  group_name: string;
}

export interface ReportFieldTable {
  id: Generated<number>;
  report_id: number;
  name: string;
  label: string;
  type: string;
  required: number;
  default_value: string | null;
  help: string;
  field_order: number;
  /** JSON list of {value, label} for static choices. */
  choices_json: string | null;
  choices_sql: string | null;
}

export interface PanelSectionTable {
  id: Generated<number>;
  report_id: number;
  position: number;
  title: string;
  sql_body: string;
  output_json: string;
}

export interface TokenTable {
  id: Generated<number>;
  name: string;
  /** SHA-256 of the secret, hex. The secret itself is never stored. */
  secret_hash: string;
  groups_json: string;
  created_by: string;
  created_at: string;
  expires_at: string;
}

export interface AuditTable {
  id: Generated<number>;
  at: string;
  principal: string;
  action: string;
  report: string | null;
  connections: string | null;
  sql_text: string | null;
  params_json: string | null;
  row_count: number | null;
  duration_ms: number | null;
  outcome: string;
  error: string | null;
  client: string | null;
  /** The request's id (`X-Request-Id`); null on records written before it was kept. */
  request_id: string | null;
}

export interface GroupListTable {
  id: Generated<number>;
  /** Letters, digits, `_` and `-`; may equal an SSO group's name to extend it. */
  name: string;
  description: string;
  image_url: string | null;
  /** A file name under `<DATA_DIR>/uploads/group-images/`, chosen by the server. */
  image_file: string | null;
  created_at: string;
  updated_at: string;
}

export interface GroupMemberTable {
  group_list_id: number;
  /** Lower-cased. */
  email: string;
}

export interface AccessGroupTable {
  id: Generated<number>;
  table_name: string;
  group_name: string;
  /** Trusted SQL written by an admin, printed by `{{ access_group.<table> }}`. */
  where_sql: string;
  created_at: string;
}

export interface AppUserTable {
  id: Generated<number>;
  /** Lower case; the user's identity everywhere else (audit, created_by, group lists). */
  email: string;
  /** argon2id PHC string; null for SSO-only accounts. */
  password_hash: string | null;
  sso_subject: string | null;
  /** Groups from the SSO groups claim at the last sign-in, as a JSON list. */
  sso_groups_json: Generated<string>;
  /** The provider's refresh token from the last SSO sign-in, sealed (server key); null if none. */
  sso_refresh_token: string | null;
  last_login: string | null;
  created_at: string;
}

export interface SessionTable {
  /** SHA-256 hex of the cookie value; the value itself is never stored. */
  id: string;
  user_id: number;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen: string;
}

export interface ScheduleTable {
  id: Generated<number>;
  report_id: number;
  /** `user` (owner_email is an email) or `token` (owner_email is the token name). */
  owner_kind: Generated<string>;
  owner_email: string;
  name: string;
  /** A cron expression (presets are stored expanded). */
  cron: string;
  /** IANA time zone the cron expression is read in. */
  timezone: string;
  params_json: Generated<string>;
  /** Deliveries as JSON; an API target secret is stored sealed with the server key. */
  deliveries_json: Generated<string>;
  active: Generated<number>;
  paused_reason: string | null;
  last_run_at: string | null;
  next_run_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ScheduleRunTable {
  id: Generated<number>;
  schedule_id: number;
  /** The scheduled time of the tick; unique per schedule, the exactly-once guard. */
  tick_at: string;
  started_at: string;
  finished_at: string | null;
  outcome: string;
  rows: number | null;
  error: string | null;
  deliveries_json: Generated<string>;
}

export type VersionState = 'draft' | 'in_review' | 'approved' | 'live' | 'superseded' | 'rejected';

/** One saved definition of a report; immutable apart from `state` and the reviewer. */
export interface ReportVersionTable {
  id: Generated<number>;
  report_id: number;
  /** 1, 2, 3… per report. */
  number: number;
  /** The report as a bundle exports it. */
  definition_json: string;
  author: string;
  created_at: string;
  state: VersionState;
  reviewed_by: string | null;
  reviewed_at: string | null;
  /** Unified diff of the YAML rendering against the previous version. */
  diff_text: string;
}

export interface ReportCommentTable {
  id: Generated<number>;
  report_id: number;
  author: string;
  /** Plain text as written; the UI escapes it. */
  body: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** One row (id 1) whose counter triggers bump on every write to a cached table (migration 0012). */
export interface MetadataChangeTable {
  id: number;
  /** A number on SQLite, a string on PostgreSQL (bigint). */
  counter: number | string;
}

export interface Database {
  connection: ConnectionTable;
  cluster: ClusterTable;
  cluster_member: ClusterMemberTable;
  report: ReportTable;
  report_group: ReportGroupTable;
  report_field: ReportFieldTable;
  panel_section: PanelSectionTable;
  token: TokenTable;
  audit: AuditTable;
  group_list: GroupListTable;
  group_member: GroupMemberTable;
  access_group: AccessGroupTable;
  app_user: AppUserTable;
  session: SessionTable;
  schedule: ScheduleTable;
  schedule_run: ScheduleRunTable;
  report_version: ReportVersionTable;
  report_comment: ReportCommentTable;
  metadata_change: MetadataChangeTable;
}

export type ConnectionRow = Selectable<ConnectionTable>;
export type ClusterRow = Selectable<ClusterTable>;
export type ReportRow = Selectable<ReportTable>;
export type NewReportRow = Insertable<ReportTable>;
export type ReportFieldRow = Selectable<ReportFieldTable>;
export type NewReportFieldRow = Insertable<ReportFieldTable>;
export type PanelSectionRow = Selectable<PanelSectionTable>;
export type TokenRow = Selectable<TokenTable>;
export type NewAuditRow = Insertable<AuditTable>;
export type GroupListRow = Selectable<GroupListTable>;
export type AccessGroupRow = Selectable<AccessGroupTable>;
export type AppUserRow = Selectable<AppUserTable>;
export type SessionRow = Selectable<SessionTable>;
export type ScheduleRow = Selectable<ScheduleTable>;
export type ScheduleRunRow = Selectable<ScheduleRunTable>;
export type ReportVersionRow = Selectable<ReportVersionTable>;
export type ReportCommentRow = Selectable<ReportCommentTable>;
