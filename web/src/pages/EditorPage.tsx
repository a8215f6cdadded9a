/** `/reports/new` and `/reports/<slug>/edit`: SQL, fields, output, groups, cluster and strategy. */
import { sql } from '@codemirror/lang-sql';
import {
  Alert,
  Button,
  Checkbox,
  Group,
  Input,
  Select,
  SimpleGrid,
  Stack,
  Tabs,
  TagsInput,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import CodeMirror from '@uiw/react-codemirror';
import { useState } from 'react';
import { useLocation, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { api, errorMessage, firstOf, recordsOf, send } from '../api.ts';
import { FieldsEditor } from '../components/FieldsEditor.tsx';
import { OutputSettings } from '../components/OutputSettings.tsx';
import { PreviewRun } from '../components/PreviewRun.tsx';
import { ErrorState, LoadingState } from '../components/States.tsx';
import { VersionHistory } from '../components/VersionHistory.tsx';
import { affectedBy, invalidate, queryKeys } from '../query-keys.ts';
import { enumValues, oneOf } from '../records.ts';
import { bodyOf, type Draft, draftOf, emptyDraft } from './report-draft.ts';
import { SectionsEditor } from './SectionsEditor.tsx';

const REPORT_TYPES = enumValues<Draft['type']>({ result: true, panel: true, template: true });
const STRATEGIES = enumValues<Draft['strategy']>({ balance: true, consolidate: true, distribute: true });

function useClusters() {
  return useQuery({
    queryKey: queryKeys.admin.clusters,
    queryFn: () => recordsOf(api.GET('/api/admin/clusters/')),
  });
}

function useSaveReport(slug: string | null) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (draft: Draft) => {
      const body = bodyOf(draft);
      const answer = await send(
        slug
          ? api.PUT('/api/admin/reports/{report}/', { params: { path: { report: slug } }, body })
          : api.POST('/api/admin/reports/', { body }),
      );
      return answer;
    },
    onSuccess: async (answer) => {
      const slugs = [slug, answer.records[0]?.slug].filter((known) => known !== undefined && known !== null);
      await invalidate(client, affectedBy.reportSaved(...slugs));
    },
  });
}

function Editor({ initial, slug }: { initial: Draft; slug: string | null }) {
  const [draft, setDraft] = useState(initial);
  const location = useLocation();
  const [searchParams] = useSearchParams();
  // An editor's save makes a draft: its number and message stay on screen (also after the
  // first save of a new report, which moves to the report's edit address).
  const [savedNote, setSavedNote] = useState<string | null>(
    (location.state as { savedNote?: string } | null)?.savedNote ?? null,
  );
  const navigate = useNavigate();
  const clusters = useClusters();
  const saveReport = useSaveReport(slug);
  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));

  function save() {
    setSavedNote(null);
    saveReport.mutate(draft, {
      onSuccess: (answer) => {
        const saved = answer.records[0];
        if (saved?.version?.state === 'draft') {
          const note = answer.message || `Saved as draft version ${saved.version.number}`;
          setSavedNote(note);
          if (!slug) navigate(`/reports/${saved.slug}/edit`, { state: { savedNote: note } });
        } else if (saved) navigate(`/reports/${saved.slug}`);
      },
    });
  }

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{slug ? `Edit ${initial.name}` : 'New report'}</Title>
        <Button onClick={save} loading={saveReport.isPending}>
          Save
        </Button>
      </Group>
      {saveReport.isError && (
        <Alert color="red" role="alert" title="Not saved">
          {errorMessage(saveReport.error)}
        </Alert>
      )}
      {savedNote && (
        <Alert color="blue" role="status" title="Draft saved" data-testid="draft-saved">
          {savedNote}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput
          label="Name"
          required
          value={draft.name}
          onChange={(e) => set({ name: e.currentTarget.value })}
        />
        <Select
          label="Type"
          data={REPORT_TYPES}
          value={draft.type}
          allowDeselect={false}
          onChange={(value) => set({ type: oneOf(REPORT_TYPES, value, 'result') })}
        />
        {clusters.isSuccess ? (
          <Select
            label="Cluster"
            required
            data={clusters.data.map((cluster) => cluster.name)}
            value={draft.cluster || null}
            onChange={(value) => set({ cluster: value ?? '' })}
          />
        ) : (
          <TextInput
            label="Cluster"
            required
            value={draft.cluster}
            onChange={(e) => set({ cluster: e.currentTarget.value })}
          />
        )}
        <Select
          label="Strategy"
          data={STRATEGIES}
          value={draft.strategy}
          allowDeselect={false}
          onChange={(value) => set({ strategy: oneOf(STRATEGIES, value, 'balance') })}
        />
        <TagsInput
          label="Groups"
          description="Press Enter after each; * for everyone"
          value={draft.groups}
          onChange={(groups) => set({ groups })}
        />
        <TagsInput
          label="Total fields"
          description="Columns summed in a totals row"
          value={draft.total_fields}
          onChange={(total_fields) => set({ total_fields })}
        />
      </SimpleGrid>
      <Textarea
        label="Description"
        autosize
        value={draft.description}
        onChange={(e) => set({ description: e.currentTarget.value })}
      />
      <Group>
        <Checkbox
          label="Active"
          checked={draft.active}
          onChange={(e) => set({ active: e.currentTarget.checked })}
        />
        <Checkbox
          label="Run immediately"
          checked={draft.run_immediate}
          onChange={(e) => set({ run_immediate: e.currentTarget.checked })}
        />
      </Group>
      <Tabs defaultValue="sql">
        <Tabs.List>
          <Tabs.Tab value="sql">SQL</Tabs.Tab>
          <Tabs.Tab value="fields">Fields ({draft.fields.length})</Tabs.Tab>
          <Tabs.Tab value="output">Output</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="sql" pt="md">
          {draft.type === 'panel' ? (
            <SectionsEditor sections={draft.sections} onChange={(sections) => set({ sections })} />
          ) : (
            <Input.Wrapper
              label="SQL"
              description="Bind variables as :_name; Jinja-style {% if %} blocks allowed"
            >
              <CodeMirror
                value={draft.sql}
                height="280px"
                extensions={[sql()]}
                onChange={(value) => set({ sql: value })}
                aria-label="SQL"
                data-testid="sql-editor"
              />
            </Input.Wrapper>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="fields" pt="md">
          <FieldsEditor fields={draft.fields} onChange={(fields) => set({ fields })} />
        </Tabs.Panel>
        <Tabs.Panel value="output" pt="md">
          <OutputSettings
            output={draft.output}
            isTemplate={draft.type === 'template'}
            onChange={(output) => set({ output })}
          />
        </Tabs.Panel>
      </Tabs>
      <PreviewRun report={bodyOf(draft)} />
      {slug && <VersionHistory slug={slug} initialNumber={Number(searchParams.get('version')) || null} />}
    </Stack>
  );
}

export function EditorPage() {
  const { slug } = useParams();
  const existing = useQuery({
    queryKey: queryKeys.report(slug ?? ''),
    enabled: Boolean(slug),
    queryFn: () => firstOf(api.GET('/report/get/{report}', { params: { path: { report: slug ?? '' } } })),
  });
  if (!slug) return <Editor initial={emptyDraft()} slug={null} />;
  if (existing.isPending) return <LoadingState />;
  if (existing.isError || !existing.data)
    return <ErrorState error={existing.error ?? new Error('No such report')} />;
  return <Editor key={slug} initial={draftOf(existing.data)} slug={slug} />;
}
