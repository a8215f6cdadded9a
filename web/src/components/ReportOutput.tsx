/** Chooses how a run is shown: table, graph, cards, panel sections or one section per connection. */
import { Stack, Text, Title } from '@mantine/core';
import { lazy, Suspense } from 'react';
import type { ReportOutputSettings, Row, Section } from '../records.ts';
import { CardsView } from './CardsView.tsx';
import { ResultTable } from './ResultTable.tsx';
import { EmptyState, LoadingState } from './States.tsx';

// ECharts is large: loaded with the first graph.
const GraphView = lazy(async () => ({ default: (await import('./GraphView.tsx')).GraphView }));

interface ViewProps {
  rows: Row[];
  output?: ReportOutputSettings;
  totalFields?: string[];
  label: string;
}

export function RowsView({ rows, output, totalFields, label }: ViewProps) {
  if (rows.length === 0) return <EmptyState>The report returned no rows.</EmptyState>;
  const count = (
    <Text size="xs" c="dimmed" data-testid="row-count">
      {rows.length.toLocaleString()} {rows.length === 1 ? 'row' : 'rows'}
    </Text>
  );
  if (output?.display === 'graph') {
    return (
      <Stack gap={4}>
        <Suspense fallback={<LoadingState label="Loading the chart" />}>
          <GraphView rows={rows} settings={output.graph} label={label} />
        </Suspense>
        {count}
      </Stack>
    );
  }
  if (output?.display === 'card') return <CardsView rows={rows} />;
  return (
    <Stack gap={4}>
      <ResultTable rows={rows} totalFields={totalFields} label={label} />
      {count}
    </Stack>
  );
}

/** `distribute`: the first column, `connection`, names the section each row belongs to. */
export function DistributedView({ rows, ...props }: ViewProps) {
  const sections = new Map<string, Row[]>();
  for (const { connection, ...rest } of rows) {
    const name = String(connection ?? '');
    sections.set(name, [...(sections.get(name) ?? []), rest]);
  }
  if (sections.size === 0) return <EmptyState>The report returned no rows.</EmptyState>;
  return (
    <Stack>
      {[...sections.entries()].map(([name, sectionRows]) => (
        <section key={name} aria-label={`Connection ${name}`}>
          <Title order={3} size="h5" mb="xs">
            {name}
          </Title>
          <RowsView {...props} rows={sectionRows} label={`${props.label} on ${name}`} />
        </section>
      ))}
    </Stack>
  );
}

/** Panel reports answer one record per section: `{title, records}`. */
export function PanelView({
  records,
  sections,
}: {
  records: Row[];
  sections: Array<Pick<Section, 'title'> & { output?: ReportOutputSettings }>;
}) {
  return (
    <Stack gap="xl">
      {records.map((record, index) => {
        const title = String(record.title ?? `Section ${index + 1}`);
        return (
          <section key={title} aria-label={title}>
            <Title order={3} size="h4" mb="xs">
              {title}
            </Title>
            <RowsView
              rows={(record.records as Row[]) ?? []}
              output={sections.find((section) => section.title === title)?.output}
              label={title}
            />
          </section>
        );
      })}
    </Stack>
  );
}
