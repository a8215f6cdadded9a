/** `/updates`: versions waiting for an editor — approval of those in review, promotion of approved ones. */
import { Anchor, Badge, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api, recordsOf } from '../../api.ts';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.tsx';
import { StateBadge } from '../../components/VersionHistory.tsx';
import { queryKeys } from '../../query-keys.ts';

export function UpdatesPage() {
  const updates = useQuery({
    queryKey: queryKeys.updates,
    queryFn: () => recordsOf(api.GET('/api/admin/updates/')),
  });
  return (
    <Stack>
      <Title order={2}>Updates</Title>
      <Text size="sm" c="dimmed">
        Versions waiting for review or promotion. Open one to see its diff and act on it.
      </Text>
      {updates.isPending ? (
        <LoadingState />
      ) : updates.isError ? (
        <ErrorState error={updates.error} />
      ) : updates.data.length === 0 ? (
        <EmptyState>Nothing waits for review or promotion.</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table striped data-testid="updates-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Report</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Author</Table.Th>
                <Table.Th>Saved</Table.Th>
                <Table.Th>Waits for</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {updates.data.map((update) => (
                <Table.Tr key={`${update.report.id}-${update.number}`}>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={`/reports/${encodeURIComponent(update.report.slug)}/edit?version=${update.number}`}
                    >
                      {update.report.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{update.number}</Table.Td>
                  <Table.Td>
                    <StateBadge state={update.state} />
                  </Table.Td>
                  <Table.Td>{update.author}</Table.Td>
                  <Table.Td>{update.created_at.replace('T', ' ').slice(0, 19)}</Table.Td>
                  <Table.Td>
                    {update.awaiting === 'approval' ? (
                      <Badge variant="outline" color={update.can_approve ? 'yellow' : 'gray'}>
                        {update.can_approve ? 'your approval' : 'approval by someone else'}
                      </Badge>
                    ) : (
                      <Badge variant="outline" color="blue">
                        promotion
                      </Badge>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
