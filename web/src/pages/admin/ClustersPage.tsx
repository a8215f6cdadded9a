/** Clusters: ordered sets of connections; create or replace, delete. */
import { Button, MultiSelect, Paper, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { api, type RecordOf, send } from '../../api.ts';
import { OutcomeAlert, RecordTable, useList } from '../../components/admin-kit.tsx';
import { QueryStatus } from '../../components/States.tsx';
import { affectedBy, queryKeys } from '../../query-keys.ts';
import { useChange, useOutcome } from '../../use-change.ts';

type ClusterView = RecordOf<'/api/admin/clusters/'>;

export function ClustersPage() {
  const clusters = useList(queryKeys.admin.clusters, '/api/admin/clusters/');
  const connections = useList(queryKeys.admin.connections, '/api/admin/connections/');
  const outcome = useOutcome();
  const [name, setName] = useState('');
  const [members, setMembers] = useState<string[]>([]);
  const save = useChange(outcome, {
    mutationFn: (cluster: Pick<ClusterView, 'name' | 'connections'>) =>
      send(
        api.PUT('/api/admin/clusters/{name}/', {
          params: { path: { name: cluster.name } },
          body: { connections: cluster.connections },
        }),
      ),
    invalidates: affectedBy.cluster,
    done: (cluster) => `Cluster "${cluster.name}" saved`,
  });
  const remove = useChange(outcome, {
    mutationFn: (name: string) =>
      send(api.DELETE('/api/admin/clusters/{name}/', { params: { path: { name } } })),
    invalidates: affectedBy.cluster,
    done: (name) => `"${name}" deleted`,
  });
  return (
    <Stack>
      <Title order={2}>Clusters</Title>
      <OutcomeAlert outcome={outcome.outcome} onClose={outcome.clear} />
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
              onClick={() => window.confirm(`Delete "${row.name}"?`) && remove.mutate(row.name)}
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
            save.mutate({ name, connections: members });
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
          <Button type="submit" mt="sm" loading={save.isPending}>
            Save cluster
          </Button>
        </form>
      </Paper>
    </Stack>
  );
}
