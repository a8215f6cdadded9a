/**
 * `/reports/<slug>`: parameters, Run, the output in the report's display, downloads, the API tab,
 * Email and Schedule actions with the form's values, the report's schedules and its comments.
 */
import { Anchor, Badge, Button, Group, Stack, Tabs, Text, Title } from '@mantine/core';
import { useIsFetching, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, firstOf, queryString, recordsOf } from '../api.ts';
import { ApiTab } from '../components/ApiTab.tsx';
import { Downloads } from '../components/Downloads.tsx';
import { FieldForm, initialValues, type Values } from '../components/FieldForm.tsx';
import { DistributedView, PanelView, RowsView } from '../components/ReportOutput.tsx';
import { CommentsPanel } from '../components/report/CommentsPanel.tsx';
import { EmailDialog } from '../components/report/EmailDialog.tsx';
import { MySchedules } from '../components/report/MySchedules.tsx';
import { ScheduleDialog } from '../components/report/ScheduleDialog.tsx';
import { ErrorState, LoadingState } from '../components/States.tsx';
import { TemplateFrame } from '../components/TemplateFrame.tsx';
import { queryKeys } from '../query-keys.ts';
import type { Me, Report } from '../records.ts';

function RunResult({ report, params, count }: { report: Report; params: Values; count: number }) {
  const run = useQuery({
    queryKey: queryKeys.run(report.slug, params, count),
    enabled: report.type !== 'template',
    queryFn: async ({ signal }) =>
      recordsOf(
        api.GET('/api/call/{report}/', {
          params: { path: { report: report.slug } },
          // Report parameters are named by the report's fields, so the document cannot list them.
          querySerializer: () => queryString(params).slice(1),
          signal,
        }),
      ),
  });
  if (report.type === 'template')
    return <TemplateFrame slug={report.slug} params={params} title={report.name} />;
  if (run.isPending) return <LoadingState label="Running the report" />;
  if (run.isError) return <ErrorState error={run.error} title="The report could not run" />;
  if (report.type === 'panel') return <PanelView records={run.data} sections={report.sections} />;
  const props = {
    rows: run.data,
    output: report.output,
    totalFields: report.total_fields,
    label: report.name,
  };
  if (report.strategy === 'distribute') return <DistributedView {...props} />;
  return <RowsView {...props} />;
}

function ReportView({ report, me }: { report: Report; me: Me }) {
  const [values, setValues] = useState<Values>(() => initialValues(report.fields));
  const [ran, setRan] = useState<{ params: Values; count: number } | null>(
    report.run_immediate ? { params: initialValues(report.fields), count: 0 } : null,
  );
  const params = ran ? { ...ran.params } : values;
  const runNow = () => setRan((previous) => ({ params: { ...values }, count: (previous?.count ?? 0) + 1 }));
  const [dialog, setDialog] = useState<'email' | 'schedule' | null>(null);
  const [tab, setTab] = useState<string | null>('result');
  const running = useIsFetching({ queryKey: queryKeys.runs(report.slug) }) > 0;

  return (
    <Stack>
      <Group justify="space-between" align="start">
        <div>
          <Title order={2}>{report.name}</Title>
          {report.description && <Text c="dimmed">{report.description}</Text>}
        </div>
        <Group gap="xs">
          <Badge variant="light">{report.type}</Badge>
          <Button size="xs" variant="default" onClick={() => setDialog('email')}>
            Email
          </Button>
          <Button size="xs" variant="default" onClick={() => setDialog('schedule')}>
            Schedule
          </Button>
          {(me.is_admin || me.is_editor) && (
            <Button component={Link} to={`/reports/${report.slug}/edit`} size="xs" variant="default">
              Edit
            </Button>
          )}
        </Group>
      </Group>
      <FieldForm
        fields={report.fields}
        values={values}
        onChange={setValues}
        onRun={runNow}
        running={running}
      />
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="result">Result</Tabs.Tab>
          <Tabs.Tab value="api">API</Tabs.Tab>
          <Tabs.Tab value="schedules">My schedules</Tabs.Tab>
          <Tabs.Tab value="comments">Comments</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="result" pt="md">
          {ran ? (
            <Stack>
              <Downloads slug={report.slug} params={ran.params} panel={report.type === 'panel'} />
              <RunResult report={report} params={ran.params} count={ran.count} />
            </Stack>
          ) : (
            <Text c="dimmed">Fill in the parameters and press Run.</Text>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="api" pt="md">
          <ApiTab slug={report.slug} params={params} />
        </Tabs.Panel>
        <Tabs.Panel value="schedules" pt="md">
          <MySchedules report={report.slug} />
        </Tabs.Panel>
        <Tabs.Panel value="comments" pt="md">
          <CommentsPanel slug={report.slug} me={me} />
        </Tabs.Panel>
      </Tabs>
      {dialog === 'email' && (
        <EmailDialog
          opened
          onClose={() => setDialog(null)}
          slug={report.slug}
          reportName={report.name}
          values={values}
          defaultTo={me.email}
        />
      )}
      {dialog === 'schedule' && (
        <ScheduleDialog
          opened
          onClose={() => setDialog(null)}
          onCreated={() => setTab('schedules')}
          slug={report.slug}
          reportName={report.name}
          values={values}
          email={me.email}
        />
      )}
    </Stack>
  );
}

export function ReportPage({ me }: { me: Me }) {
  const { slug = '' } = useParams();
  const definition = useQuery({
    queryKey: queryKeys.report(slug),
    queryFn: () => firstOf(api.GET('/report/get/{report}', { params: { path: { report: slug } } })),
  });
  useEffect(() => {
    if (definition.data) document.title = `${definition.data.name} · Secure Reporter`;
  }, [definition.data]);
  if (definition.isPending) return <LoadingState label="Loading the report" />;
  if (definition.isError || !definition.data) {
    return (
      <Stack>
        <ErrorState
          error={definition.error ?? new Error('No such report')}
          title="This report cannot be shown"
        />
        <Anchor component={Link} to="/">
          Back to the reports
        </Anchor>
      </Stack>
    );
  }
  return <ReportView key={definition.data.slug} report={definition.data} me={me} />;
}
