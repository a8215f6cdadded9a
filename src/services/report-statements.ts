/**
 * The save-time statement check of a report: every SQL body it runs must be one read-only
 * statement (`src/sql/read-only-statement.ts`) in the dialect of each connection of its cluster.
 * Runs check the rendered SQL again; this refuses early what every run would refuse.
 */
import type { DriverName } from '../datasources/driver.ts';
import { drivers } from '../datasources/registry.ts';
import { AppError, badRequest } from '../errors.ts';
import { assertReadOnlyTemplate } from '../sql/read-only-statement.ts';
import type { ConnectionRow } from '../store/tables.ts';
import type { ParsedReportInput } from './report-model.ts';

/** Every SQL body a report runs, named for error messages: its own, its sections', its choices'. */
function sqlBodies(input: ParsedReportInput): Array<[string, string]> {
  const own: Array<[string, string]> = input.sql.trim() === '' ? [] : [['SQL', input.sql]];
  return [
    ...own,
    ...input.sections.map((section): [string, string] => [`section "${section.title}"`, section.sql]),
    ...input.fields.flatMap(
      (field): Array<[string, string]> =>
        field.choices_sql ? [[`choices of field "${field.name}"`, field.choices_sql]] : [],
    ),
  ];
}

/**
 * Throws `bad_request` naming the report, the body and the dialect when a body is refused.
 * A cluster without connections yet is checked in every dialect.
 */
export function checkReportStatements(input: ParsedReportInput, members: readonly ConnectionRow[]): void {
  const dialects = new Set(
    members.length > 0
      ? members.map((row) => drivers[row.driver as DriverName].dialect)
      : (Object.keys(drivers) as DriverName[]),
  );
  for (const [where, sql] of sqlBodies(input)) {
    for (const dialect of dialects) {
      try {
        assertReadOnlyTemplate(sql, dialect);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        throw badRequest(`Report "${input.name}", ${where} (${dialect}): ${error.message}`);
      }
    }
  }
}
