/**
 * Names for the records the app shows, every one taken from the generated API schema rather than
 * written out: when the server changes a record, these change with it and the compiler points at
 * each use that no longer fits.
 */
import type { AnswerOf, RecordOf } from './api.ts';

/** A report as `/report/get/<slug>` answers it (editors and admins also get its SQL). */
export type Report = RecordOf<'/report/get/{report}'>;
export type Field = Report['fields'][number];
export type FieldType = Field['type'];
export type Choice = NonNullable<Field['choices']>[number];
export type ReportOutputSettings = Report['output'];
export type Section = Report['sections'][number];

/** A group's picture and description, shown above its reports on the home page. */
export type GroupPicture = AnswerOf<'/api/reports/'>['groups'][number];

/** The signed-in principal. */
export type Me = RecordOf<'/api/me'>;

export type VersionSummary = RecordOf<'/api/admin/reports/{report}/versions/'>;
export type VersionState = VersionSummary['state'];
export type VersionDetail = RecordOf<'/api/admin/reports/{report}/versions/{number}/'>;
export type PendingVersion = RecordOf<'/api/admin/updates/'>;

export type Schedule = RecordOf<'/api/schedules/'>;
export type ScheduleRun = RecordOf<'/api/schedules/{id}/runs/'>;
export type Comment = RecordOf<'/api/reports/{report}/comments/'>;

/**
 * One row of a report's result: its columns are the report's own SQL's, so the document can only
 * say "an object".
 */
export type Row = Record<string, unknown>;

/**
 * The values of a server enum as a list for a select. Written as a record's keys so the compiler
 * checks them against the schema: a value added or dropped on the server fails the type check.
 */
export const enumValues = <T extends string>(keys: Record<T, true>) => Object.keys(keys) as T[];

/** `value` when it is one of `values`, else `fallback` (a select's null or a stale value). */
export const oneOf = <T extends string>(values: readonly T[], value: string | null, fallback: T): T =>
  values.find((candidate) => candidate === value) ?? fallback;
