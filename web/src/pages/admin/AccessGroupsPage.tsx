/** Access groups (row-level security): per table, group → SQL where fragment. */
import { Button, Paper, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { api, send } from '../../api.ts';
import { OutcomeAlert, RecordTable, useList } from '../../components/admin-kit.tsx';
import { QueryStatus } from '../../components/States.tsx';
import { affectedBy, queryKeys } from '../../query-keys.ts';
import { useChange, useOutcome } from '../../use-change.ts';

export function AccessGroupsPage() {
  const list = useList(queryKeys.admin.accessGroups, '/api/admin/access-groups/');
  const outcome = useOutcome();
  const [entry, setEntry] = useState({ table: '', group: '', where: '' });
  const add = useChange(outcome, {
    mutationFn: (body: typeof entry) => send(api.POST('/api/admin/access-groups/', { body })),
    invalidates: affectedBy.accessGroup,
    done: () => 'Entry added',
  });
  const remove = useChange(outcome, {
    mutationFn: (id: number) =>
      send(api.DELETE('/api/admin/access-groups/{id}/', { params: { path: { id } } })),
    invalidates: affectedBy.accessGroup,
    done: () => 'Entry deleted',
  });
  const field = (key: keyof typeof entry, label: string) => (
    <TextInput
      label={label}
      required
      value={entry[key]}
      onChange={(e) => setEntry({ ...entry, [key]: e.currentTarget.value })}
    />
  );
  return (
    <Stack>
      <Title order={2}>Access groups</Title>
      <OutcomeAlert outcome={outcome.outcome} onClose={outcome.clear} />
      <QueryStatus query={list} />
      {list.data && (
        <RecordTable
          label="Access groups"
          rows={list.data}
          rowKey={(row) => String(row.id)}
          columns={[
            ['Table', (row) => row.table],
            ['Group', (row) => row.group],
            ['Where', (row) => <code>{row.where}</code>],
            ['Created', (row) => row.created],
          ]}
          actions={(row) => (
            <Button size="xs" color="red" variant="subtle" onClick={() => remove.mutate(row.id)}>
              Delete
            </Button>
          )}
        />
      )}
      <Paper withBorder p="md">
        <form
          aria-label="Add an access group entry"
          onSubmit={(event) => {
            event.preventDefault();
            add.mutate(entry);
          }}
        >
          <Title order={3} size="h5" mb="sm">
            Add an entry
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            {field('table', 'Table')}
            {field('group', 'Group')}
            {field('where', 'Where fragment')}
          </SimpleGrid>
          <Button type="submit" mt="sm" loading={add.isPending}>
            Add entry
          </Button>
        </form>
      </Paper>
    </Stack>
  );
}
