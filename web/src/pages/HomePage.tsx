/** The reports the caller may run, grouped by group with the group's picture, and a search box. */
import { Anchor, Avatar, Badge, Card, Group, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, type RecordOf, send } from '../api.ts';
import { EmptyState, QueryStatus } from '../components/States.tsx';
import { queryKeys } from '../query-keys.ts';

/** A report as the list shows it (its sections without their SQL or output). */
type Report = RecordOf<'/api/reports/'>;

function groupReports(reports: Report[], search: string): [string, Report[]][] {
  const needle = search.trim().toLowerCase();
  const byGroup = new Map<string, Report[]>();
  for (const report of reports) {
    const haystack = `${report.name} ${report.description} ${report.slug}`.toLowerCase();
    if (needle && !haystack.includes(needle)) continue;
    for (const group of report.groups.length ? report.groups : ['(no group)']) {
      byGroup.set(group, [...(byGroup.get(group) ?? []), report]);
    }
  }
  return [...byGroup.entries()].sort(([a], [b]) => a.localeCompare(b));
}

export function HomePage() {
  const [search, setSearch] = useState('');
  const query = useQuery({
    queryKey: queryKeys.reportList,
    queryFn: async () => {
      const answer = await send(api.GET('/api/reports/'));
      return { reports: answer.records, pictures: answer.groups };
    },
  });
  const groups = useMemo(() => groupReports(query.data?.reports ?? [], search), [query.data, search]);
  const pictures = new Map((query.data?.pictures ?? []).map((picture) => [picture.name, picture]));

  return (
    <Stack>
      <Group justify="space-between" align="end">
        <Title order={2}>Reports</Title>
        <TextInput
          label="Search reports"
          placeholder="Name or description"
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          w={{ base: '100%', sm: 320 }}
        />
      </Group>
      <QueryStatus query={query} />
      {query.isSuccess && groups.length === 0 && (
        <EmptyState>
          {search ? 'No report matches the search.' : 'No report is shared with you yet.'}
        </EmptyState>
      )}
      {groups.map(([group, reports]) => (
        <section key={group} aria-labelledby={`group-${group}`}>
          <Group mb="xs" gap="sm">
            <Avatar src={pictures.get(group)?.image ?? null} alt="" radius="sm">
              {group.slice(0, 2).toUpperCase()}
            </Avatar>
            <Title order={3} size="h4" id={`group-${group}`}>
              {group === '*' ? 'Everyone' : group}
            </Title>
            {pictures.get(group)?.description && (
              <Text size="sm" c="dimmed">
                {pictures.get(group)?.description}
              </Text>
            )}
          </Group>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} mb="lg">
            {reports.map((report) => (
              <Card key={report.id} withBorder padding="md">
                <Group justify="space-between" wrap="nowrap">
                  <Anchor component={Link} to={`/reports/${report.slug}`} fw={600}>
                    {report.name}
                  </Anchor>
                  <Badge variant="light">{report.type}</Badge>
                </Group>
                <Text size="sm" c="dimmed" mt={4} lineClamp={2}>
                  {report.description || 'No description'}
                </Text>
              </Card>
            ))}
          </SimpleGrid>
        </section>
      ))}
    </Stack>
  );
}
