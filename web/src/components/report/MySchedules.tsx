/** "My schedules": the caller's schedules (admins: all), optionally of one report, with actions and history. */
import { Alert, Badge, Button, Card, Collapse, Group, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, recordsOf, send } from '../../api.ts';
import { affectedBy, queryKeys } from '../../query-keys.ts';
import type { Schedule } from '../../records.ts';
import { useChange, useOutcome } from '../../use-change.ts';
import { ErrorState, LoadingState } from '../States.tsx';
import { localTime } from './model.ts';
import { ScheduleRuns } from './ScheduleRuns.tsx';

function deliveriesText(schedule: Schedule): string {
  const { email, api } = schedule.deliveries;
  const parts: string[] = [];
  if (email) parts.push(`email to ${email.to.join(', ')}${email.attach ? ` (${email.attach})` : ''}`);
  if (api) parts.push(`API ${api.url}${api.has_secret ? ' (signed)' : ''}`);
  return parts.join('; ');
}

/**
 * Run now, pause or resume, delete; each refreshes the schedules, also after a failure, since a
 * failed run is still recorded.
 */
function useScheduleChanges(id: number) {
  const outcome = useOutcome();
  const params = { path: { id } };
  const common = { invalidates: affectedBy.schedule, invalidateOnError: true };
  const runNow = useChange(outcome, {
    ...common,
    mutationFn: async () => (await recordsOf(api.POST('/api/schedules/{id}/run-now/', { params })))[0],
    done: (_none, run) => (run ? `Ran: ${run.outcome}${run.error ? ` (${run.error})` : ''}` : 'Ran'),
  });
  const setActive = useChange(outcome, {
    ...common,
    mutationFn: (active: boolean) => send(api.PUT('/api/schedules/{id}/', { params, body: { active } })),
    done: (active) => (active ? 'Resumed' : 'Paused'),
  });
  const remove = useChange(outcome, {
    ...common,
    mutationFn: () => send(api.DELETE('/api/schedules/{id}/', { params })),
    done: () => 'Deleted',
  });
  return { outcome: outcome.outcome, runNow, setActive, remove };
}

function ScheduleCard({ schedule }: { schedule: Schedule }) {
  const [history, setHistory] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const { outcome, runNow, setActive, remove } = useScheduleChanges(schedule.id);

  return (
    <Card withBorder data-testid="schedule-card" aria-label={`Schedule ${schedule.name}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap">
          <Group gap="xs">
            <Text fw={600}>{schedule.name}</Text>
            <Badge color={schedule.active ? 'green' : 'gray'} variant="light">
              {schedule.active ? 'active' : 'paused'}
            </Badge>
          </Group>
          <Text size="sm" c="dimmed">
            {schedule.report} · {schedule.cron} ({schedule.timezone})
          </Text>
        </Group>
        {schedule.paused_reason && (
          <Text size="sm" c="orange" data-testid="paused-reason">
            Paused: {schedule.paused_reason}
          </Text>
        )}
        <Text size="sm">
          Next run: {localTime(schedule.next_run_at)} · Last run: {localTime(schedule.last_run_at)}
        </Text>
        <Text size="sm" c="dimmed">
          {deliveriesText(schedule)}
        </Text>
        <Group gap="xs">
          <Button
            size="xs"
            onClick={() => runNow.mutate(undefined, { onSuccess: () => setHistory(true) })}
            loading={runNow.isPending}
          >
            Run now
          </Button>
          <Button size="xs" variant="default" onClick={() => setHistory((open) => !open)}>
            {history ? 'Hide history' : 'History'}
          </Button>
          <Button
            size="xs"
            variant="default"
            onClick={() => setActive.mutate(!schedule.active)}
            loading={setActive.isPending}
          >
            {schedule.active ? 'Pause' : 'Resume'}
          </Button>
          {confirming ? (
            <>
              <Button size="xs" color="red" onClick={() => remove.mutate()} loading={remove.isPending}>
                Really delete
              </Button>
              <Button size="xs" variant="subtle" onClick={() => setConfirming(false)}>
                Keep
              </Button>
            </>
          ) : (
            <Button size="xs" color="red" variant="light" onClick={() => setConfirming(true)}>
              Delete
            </Button>
          )}
        </Group>
        {outcome && (
          <Alert color={outcome.ok ? 'green' : 'red'} role={outcome.ok ? 'status' : 'alert'} p="xs">
            {outcome.text}
          </Alert>
        )}
        <Collapse expanded={history}>{history && <ScheduleRuns id={schedule.id} />}</Collapse>
      </Stack>
    </Card>
  );
}

/** The list; `report` limits it to one report's schedules. */
export function MySchedules({ report }: { report?: string }) {
  const schedules = useQuery({
    queryKey: queryKeys.schedules,
    queryFn: ({ signal }) => recordsOf(api.GET('/api/schedules/', { signal })),
  });
  if (schedules.isPending) return <LoadingState label="Loading your schedules" />;
  if (schedules.isError) return <ErrorState error={schedules.error} title="Schedules cannot be shown" />;
  const shown = report ? schedules.data.filter((schedule) => schedule.report === report) : schedules.data;
  if (!shown.length) {
    return <Text c="dimmed">{report ? 'No schedules of this report yet.' : 'No schedules yet.'}</Text>;
  }
  return (
    <Stack data-testid="my-schedules">
      {shown.map((schedule) => (
        <ScheduleCard key={schedule.id} schedule={schedule} />
      ))}
    </Stack>
  );
}
