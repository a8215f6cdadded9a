/** A schedule's delivery history (`GET /api/schedules/<id>/runs/`), newest first. */
import { Badge, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, recordsOf } from '../../api.ts';
import { queryKeys } from '../../query-keys.ts';
import { ErrorState, LoadingState } from '../States.tsx';
import { localTime } from './model.ts';

const OUTCOME_COLORS: Record<string, string> = {
  ok: 'green',
  delivery_failed: 'orange',
  error: 'red',
  paused: 'gray',
};

type Loose = Record<string, unknown>;

/**
 * One delivery's outcome. The API document leaves a run's deliveries untyped (`unknown[]`), so
 * this reads the keys it shows (`kind`, `ok`, `error`, `detail`) without assuming more.
 */
function describeDelivery(entry: unknown): string {
  const delivery = (entry ?? {}) as Loose;
  const detail = (delivery.detail ?? {}) as Loose;
  const target =
    delivery.kind === 'api'
      ? [
          detail.status ? `HTTP ${detail.status}` : null,
          detail.attempts ? `${detail.attempts} attempt(s)` : null,
        ]
      : [Array.isArray(detail.to) ? `to ${detail.to.join(', ')}` : null, detail.skipped ? 'skipped' : null];
  const parts = [delivery.ok ? 'ok' : 'failed', ...target.filter(Boolean), delivery.error].filter(Boolean);
  return `${String(delivery.kind)}: ${parts.join(', ')}`;
}

export function ScheduleRuns({ id }: { id: number }) {
  const runs = useQuery({
    queryKey: queryKeys.scheduleRuns(id),
    queryFn: ({ signal }) =>
      recordsOf(api.GET('/api/schedules/{id}/runs/', { params: { path: { id } }, signal })),
  });
  if (runs.isPending) return <LoadingState label="Loading the history" />;
  if (runs.isError) return <ErrorState error={runs.error} title="The history cannot be shown" />;
  if (!runs.data.length) return <Text c="dimmed">No runs yet.</Text>;
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table striped aria-label="Delivery history" data-testid="schedule-runs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Started</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Rows</Table.Th>
            <Table.Th>Deliveries</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.data.map((run) => (
            <Table.Tr key={run.id} data-testid="schedule-run">
              <Table.Td>{localTime(run.started_at ?? run.tick_at)}</Table.Td>
              <Table.Td>
                <Badge color={OUTCOME_COLORS[run.outcome] ?? 'gray'} variant="light">
                  {run.outcome}
                </Badge>
                {run.error && (
                  <Text size="xs" c="red">
                    {run.error}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{run.rows ?? '—'}</Table.Td>
              <Table.Td>
                {run.deliveries.map((delivery, index) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: deliveries are listed in their order
                  <Text key={index} size="sm">
                    {describeDelivery(delivery)}
                  </Text>
                ))}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
