/** Small shared pieces of the admin pages: a list query, a change's outcome, a record table. */
import { Alert, Table } from '@mantine/core';
import { type QueryKey, useQuery } from '@tanstack/react-query';
import { api, type RecordOf, recordsOf } from '../api.ts';
import type { Outcome } from '../use-change.ts';

type ListPath =
  | '/api/admin/access-groups/'
  | '/api/admin/audit/'
  | '/api/admin/clusters/'
  | '/api/admin/connections/'
  | '/api/admin/group-lists/'
  | '/api/admin/tokens/'
  | '/api/admin/users/';

/** An admin list: the records of a GET without path parameters (the audit list takes a filter). */
export function useList<P extends ListPath>(
  queryKey: QueryKey,
  path: P,
  query?: Record<string, string | number>,
) {
  return useQuery({
    queryKey,
    // openapi-fetch answers a union of the lists' records for a generic path; P names which one.
    queryFn: ({ signal }) =>
      recordsOf(api.GET(path as ListPath, { params: { query }, signal })) as Promise<RecordOf<P>[]>,
  });
}

export function OutcomeAlert({ outcome, onClose }: { outcome: Outcome | null; onClose(): void }) {
  if (!outcome) return null;
  return (
    <Alert
      color={outcome.ok ? 'green' : 'red'}
      role={outcome.ok ? 'status' : 'alert'}
      withCloseButton
      closeButtonLabel="Dismiss"
      onClose={onClose}
    >
      {outcome.text}
    </Alert>
  );
}

/** A plain responsive table of records with a trailing actions cell. */
export function RecordTable<T>({
  rows,
  columns,
  actions,
  label,
  rowKey,
}: {
  rows: T[];
  columns: [string, (row: T) => React.ReactNode][];
  actions?: (row: T) => React.ReactNode;
  label: string;
  rowKey(row: T): string;
}) {
  return (
    <Table.ScrollContainer minWidth={600}>
      <Table striped highlightOnHover aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            {columns.map(([title]) => (
              <Table.Th key={title}>{title}</Table.Th>
            ))}
            {actions && <Table.Th>Actions</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={rowKey(row)}>
              {columns.map(([title, cell]) => (
                <Table.Td key={title}>{cell(row)}</Table.Td>
              ))}
              {actions && <Table.Td>{actions(row)}</Table.Td>}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
