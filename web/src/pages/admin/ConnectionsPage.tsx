/**
 * Connections: list, test, delete, and create with driver settings as JSON. A connection whose
 * database user holds more than read privileges is marked with a warning (docs/security.md).
 */
import {
  Badge,
  Button,
  Group,
  JsonInput,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { api, type RecordOf, type RequestBody, send } from '../../api.ts';
import { OutcomeAlert, RecordTable, useList } from '../../components/admin-kit.tsx';
import { QueryStatus } from '../../components/States.tsx';
import { affectedBy, queryKeys } from '../../query-keys.ts';
import { type OutcomeState, useChange, useOutcome } from '../../use-change.ts';

type ConnectionView = RecordOf<'/api/admin/connections/'>;

/** What the last privilege probe said, as a badge; a privileged user is always a warning. */
function PrivilegeBadge({ row }: { row: ConnectionView }) {
  const check = row.privilege_check;
  if (check?.privileged) {
    const what = check.findings.join(', ');
    return (
      <Badge color="red" variant="filled" title={what}>
        {row.allow_privileged_user ? `Warning: privileged user allowed (${what})` : `Refused: ${what}`}
      </Badge>
    );
  }
  if (!check || check.error) {
    return (
      <Badge color="gray" title={check?.error}>
        not checked yet
      </Badge>
    );
  }
  return <Badge color="green">{row.driver === 'sqlite' ? 'read-only file' : 'read-only user'}</Badge>;
}

/** The drivers the server registers, from its API schema. */
type DriverName = RequestBody<'/api/admin/connections/', 'post'>['driver'];

/**
 * Example settings per driver; its keys are the drivers the form offers, in this order, and the
 * compiler keeps them equal to the server's list.
 */
const EXAMPLES: Record<DriverName, string> = {
  sqlite: '{\n  "file": "/path/to/file.db"\n}',
  postgres:
    '{\n  "host": "127.0.0.1",\n  "port": 5432,\n  "database": "reports",\n  "user": "reader",\n  "password": ""\n}',
  mysql:
    '{\n  "host": "127.0.0.1",\n  "port": 3306,\n  "database": "reports",\n  "user": "reader",\n  "password": ""\n}',
};

const DRIVERS = Object.keys(EXAMPLES) as DriverName[];

const named = (name: string) => ({ params: { path: { name } } });

function AddConnection({ outcome }: { outcome: OutcomeState }) {
  const [name, setName] = useState('');
  const [driver, setDriver] = useState<DriverName>('sqlite');
  const [settings, setSettings] = useState(EXAMPLES.sqlite);
  const [timeout, setTimeoutMs] = useState<number | string>(30000);
  const [pool, setPool] = useState<number | string>(5);
  const create = useChange(outcome, {
    mutationFn: () => {
      const body = {
        name,
        driver,
        settings: JSON.parse(settings || '{}'),
        statement_timeout_ms: Number(timeout),
        pool_size: Number(pool),
      };
      return send(api.POST('/api/admin/connections/', { body }));
    },
    invalidates: affectedBy.connection,
    done: () => `Connection "${name}" created`,
  });
  function submit(event: React.FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} aria-label="Add a connection">
        <Title order={3} size="h5" mb="sm">
          Add a connection
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
          <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Select
            label="Driver"
            data={DRIVERS}
            value={driver}
            allowDeselect={false}
            onChange={(value) => {
              const chosen = DRIVERS.find((name) => name === value) ?? 'sqlite';
              setDriver(chosen);
              setSettings(EXAMPLES[chosen]);
            }}
          />
          <NumberInput label="Statement timeout (ms)" value={timeout} onChange={setTimeoutMs} min={100} />
          <NumberInput label="Pool size" value={pool} onChange={setPool} min={1} max={100} />
        </SimpleGrid>
        <JsonInput
          label="Settings (JSON)"
          autosize
          minRows={4}
          value={settings}
          onChange={setSettings}
          mt="sm"
          validationError="Not valid JSON"
        />
        <Button type="submit" mt="sm" loading={create.isPending}>
          Add connection
        </Button>
      </form>
    </Paper>
  );
}

export function ConnectionsPage() {
  const list = useList(queryKeys.admin.connections, '/api/admin/connections/');
  const outcome = useOutcome();
  const test = useChange(outcome, {
    mutationFn: (name: string) => send(api.POST('/api/admin/connections/{name}/test/', named(name))),
    invalidates: affectedBy.connectionTest,
    done: (name) => `"${name}" works`,
  });
  const remove = useChange(outcome, {
    mutationFn: (name: string) => send(api.DELETE('/api/admin/connections/{name}/', named(name))),
    invalidates: affectedBy.connection,
    done: (name) => `"${name}" deleted`,
  });
  return (
    <Stack>
      <Title order={2}>Connections</Title>
      <OutcomeAlert outcome={outcome.outcome} onClose={outcome.clear} />
      <QueryStatus query={list} />
      {list.data && (
        <RecordTable
          label="Connections"
          rows={list.data}
          rowKey={(row) => row.name}
          columns={[
            ['Name', (row) => row.name],
            ['Driver', (row) => row.driver],
            ['Settings', (row) => <code>{JSON.stringify(row.settings)}</code>],
            ['Database user', (row) => <PrivilegeBadge row={row} />],
            ['Timeout', (row) => `${row.statement_timeout_ms} ms`],
            [
              'Active',
              (row) => <Badge color={row.active ? 'green' : 'gray'}>{row.active ? 'yes' : 'no'}</Badge>,
            ],
          ]}
          actions={(row) => (
            <Group gap="xs" wrap="nowrap">
              <Button size="xs" variant="light" onClick={() => test.mutate(row.name)}>
                Test {row.name}
              </Button>
              <Button
                size="xs"
                color="red"
                variant="subtle"
                onClick={() => window.confirm(`Delete "${row.name}"?`) && remove.mutate(row.name)}
              >
                Delete
              </Button>
            </Group>
          )}
        />
      )}
      <AddConnection outcome={outcome} />
    </Stack>
  );
}
