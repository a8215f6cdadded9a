/** Small shared pieces of the admin pages: a list query and an action runner with its outcome. */
import { Alert, Table } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage, records } from '../api.ts';

export function useList<T>(path: string) {
  return useQuery({ queryKey: ['admin', path], queryFn: ({ signal }) => records<T>(path, signal) });
}

export interface Outcome {
  ok: boolean;
  text: string;
}

/** Runs a change, shows what happened, and refreshes every list afterwards. */
export function useAction() {
  const client = useQueryClient();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  async function run(work: () => Promise<unknown>, done: string): Promise<boolean> {
    setBusy(true);
    try {
      await work();
      setOutcome({ ok: true, text: done });
      await client.invalidateQueries({ queryKey: ['admin'] });
      return true;
    } catch (error) {
      setOutcome({ ok: false, text: errorMessage(error) });
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { outcome, busy, run, clear: () => setOutcome(null) };
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
