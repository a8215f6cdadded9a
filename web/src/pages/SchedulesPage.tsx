/** `/schedules`: every schedule of the caller (admins: all), with run-now, pause, delete and history. */
import { Stack, Text, Title } from '@mantine/core';
import { MySchedules } from '../components/report/MySchedules.tsx';

export function SchedulesPage() {
  return (
    <Stack>
      <Title order={2}>My schedules</Title>
      <Text c="dimmed">Create a schedule from a report page with its Schedule button.</Text>
      <MySchedules />
    </Stack>
  );
}
