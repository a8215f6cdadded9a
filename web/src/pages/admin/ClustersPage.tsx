/** Clusters: ordered sets of connections; create or replace, delete. */
import { Button, MultiSelect, Paper, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { call } from '../../api.ts';
import { OutcomeAlert, RecordTable, useAction, useList } from '../../components/admin-kit.tsx';
import { QueryStatus } from '../../components/States.tsx';

interface ClusterView {
  name: string;
  connections: string[];
}

export function ClustersPage() {
  const clusters = useList<ClusterView>('/api/admin/clusters/');
  const connections = useList<{ name: string }>('/api/admin/connections/');
  const action = useAction();
  const [name, setName] = useState('');
  const [members, setMembers] = useState<string[]>([]);
  const path = (cluster: string) => `/api/admin/clusters/${encodeURIComponent(cluster)}/`;
  return (
    <Stack>
      <Title order={2}>Clusters</Title>
      <OutcomeAlert outcome={action.outcome} onClose={action.clear} />
      <QueryStatus query={clusters} />
      {clusters.data && (
        <RecordTable
          label="Clusters"
          rows={clusters.data}
          rowKey={(row) => row.name}
          columns={[
            ['Name', (row) => row.name],
            ['Connections, in order', (row) => row.connections.join(', ')],
          ]}
          actions={(row) => (
            <Button
              size="xs"
              color="red"
              variant="subtle"
              onClick={() =>
                window.confirm(`Delete "${row.name}"?`) &&
                void action.run(() => call(path(row.name), { method: 'DELETE' }), `"${row.name}" deleted`)
              }
            >
              Delete {row.name}
            </Button>
          )}
        />
      )}
      <Paper withBorder p="md">
        <form
          aria-label="Save a cluster"
          onSubmit={(event) => {
            event.preventDefault();
            void action.run(
              () => call(path(name), { method: 'PUT', body: { connections: members } }),
              `Cluster "${name}" saved`,
            );
          }}
        >
          <Title order={3} size="h5" mb="sm">
            Create or replace a cluster
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <MultiSelect
              label="Connections"
              data={(connections.data ?? []).map((c) => c.name)}
              value={members}
              onChange={setMembers}
            />
          </SimpleGrid>
          <Button type="submit" mt="sm" loading={action.busy}>
            Save cluster
          </Button>
        </form>
      </Paper>
    </Stack>
  );
}
