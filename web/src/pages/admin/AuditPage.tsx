/** Audit records, newest first, filtered by principal, report and time. */
import { Button, Code, Group, Stack, TextInput, Title } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { useState } from 'react';
import { RecordTable, useList } from '../../components/admin-kit.tsx';
import { EmptyState, QueryStatus } from '../../components/States.tsx';
import { queryKeys } from '../../query-keys.ts';

const EMPTY = { principal: '', report: '', from: '', to: '' };

export function AuditPage() {
  const [form, setForm] = useState(EMPTY);
  const [filter, setFilter] = useState(EMPTY);
  const list = useList(queryKeys.admin.audit(filter), '/api/admin/audit/', {
    ...filter,
    limit: 500,
  });
  return (
    <Stack>
      <Title order={2}>Audit</Title>
      <form
        aria-label="Filter audit records"
        onSubmit={(event) => {
          event.preventDefault();
          setFilter(form);
        }}
      >
        <Group align="end">
          <TextInput
            label="User or token"
            value={form.principal}
            onChange={(e) => setForm({ ...form, principal: e.currentTarget.value })}
          />
          <TextInput
            label="Report"
            value={form.report}
            onChange={(e) => setForm({ ...form, report: e.currentTarget.value })}
          />
          <DateInput
            label="From"
            valueFormat="YYYY-MM-DD"
            clearable
            value={form.from || null}
            onChange={(v) => setForm({ ...form, from: v ?? '' })}
          />
          <DateInput
            label="To"
            valueFormat="YYYY-MM-DD"
            clearable
            value={form.to || null}
            onChange={(v) => setForm({ ...form, to: v ?? '' })}
          />
          <Button type="submit">Filter</Button>
          <Button
            variant="default"
            onClick={() => {
              setForm(EMPTY);
              setFilter(EMPTY);
            }}
          >
            Clear
          </Button>
        </Group>
      </form>
      <QueryStatus query={list} />
      {list.data?.length === 0 && <EmptyState>No audit records match.</EmptyState>}
      {list.data && list.data.length > 0 && (
        <RecordTable
          label="Audit records"
          rows={list.data}
          rowKey={(row) => `${row.at}-${row.principal}-${row.action}-${row.report}`}
          columns={[
            ['When', (row) => row.at],
            ['Who', (row) => row.principal],
            ['Action', (row) => row.action],
            ['Report', (row) => row.report ?? ''],
            ['Outcome', (row) => (row.error ? <Code color="red.1">{row.error}</Code> : row.outcome)],
            ['Rows', (row) => row.row_count ?? ''],
            ['ms', (row) => row.duration_ms ?? ''],
            ['Client', (row) => row.client ?? ''],
          ]}
        />
      )}
    </Stack>
  );
}
