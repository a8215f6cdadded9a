/** Users with their activity: sign-in kinds, groups, last sign-in, live sessions; delete, refresh groups. */
import {
  Badge,
  Button,
  Group,
  Paper,
  PasswordInput,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { api, send } from '../../api.ts';
import { OutcomeAlert, RecordTable, useList } from '../../components/admin-kit.tsx';
import { QueryStatus } from '../../components/States.tsx';
import { affectedBy, queryKeys } from '../../query-keys.ts';
import { useChange, useOutcome } from '../../use-change.ts';

const byEmail = (email: string) => ({ params: { path: { email } } });

export function UsersPage() {
  const list = useList(queryKeys.admin.users, '/api/admin/users/');
  const outcome = useOutcome();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const add = useChange(outcome, {
    mutationFn: (body: { email: string; password: string }) => send(api.POST('/api/admin/users/', { body })),
    invalidates: affectedBy.user,
    done: (body) => `${body.email} added`,
  });
  const refreshGroups = useChange(outcome, {
    mutationFn: (email: string) => send(api.POST('/api/admin/users/{email}/refresh-groups/', byEmail(email))),
    invalidates: affectedBy.user,
    // The server says whether the sign-in provider was asked or groups wait for the next sign-in.
    done: (user, answer) => answer.message || `Groups of ${user} refreshed`,
  });
  const remove = useChange(outcome, {
    mutationFn: (email: string) => send(api.DELETE('/api/admin/users/{email}/', byEmail(email))),
    invalidates: affectedBy.userDeleted,
    done: (user) => `${user} deleted`,
  });
  const active = list.data?.filter((user) => (user.active_sessions ?? 0) > 0).length ?? 0;
  return (
    <Stack>
      <Title order={2}>Users</Title>
      {list.data && (
        <Text size="sm" c="dimmed">
          {list.data.length} users, {active} signed in now.
        </Text>
      )}
      <OutcomeAlert outcome={outcome.outcome} onClose={outcome.clear} />
      <QueryStatus query={list} />
      {list.data && (
        <RecordTable
          label="Users"
          rows={list.data}
          rowKey={(row) => row.email}
          columns={[
            ['Email', (row) => row.email],
            ['Sign-in', (row) => row.sign_in],
            [
              'Roles',
              (row) =>
                row.is_admin ? (
                  <Badge>admin</Badge>
                ) : row.is_editor ? (
                  <Badge color="teal">editor</Badge>
                ) : (
                  'user'
                ),
            ],
            ['Groups', (row) => row.groups.join(', ')],
            ['Last sign-in', (row) => row.last_login ?? 'never'],
            ['Sessions', (row) => row.active_sessions ?? ''],
          ]}
          actions={(row) => (
            <Group gap="xs" wrap="nowrap">
              <Button size="xs" variant="light" onClick={() => refreshGroups.mutate(row.email)}>
                Refresh groups
              </Button>
              <Button
                size="xs"
                color="red"
                variant="subtle"
                onClick={() => window.confirm(`Delete ${row.email}?`) && remove.mutate(row.email)}
              >
                Delete
              </Button>
            </Group>
          )}
        />
      )}
      <Paper withBorder p="md">
        <form
          aria-label="Add a local user"
          onSubmit={(event) => {
            event.preventDefault();
            add.mutate({ email, password });
          }}
        >
          <Title order={3} size="h5" mb="sm">
            Add a local user
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="Email"
              type="email"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              autoComplete="new-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
          </SimpleGrid>
          <Button type="submit" mt="sm" loading={add.isPending}>
            Add user
          </Button>
        </form>
      </Paper>
    </Stack>
  );
}
