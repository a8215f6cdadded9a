/**
 * The editor's "Preview": runs the unsaved editor state through `POST /api/admin/reports/preview/`
 * with parameter values typed here, and shows the result under the editor. Nothing is saved.
 */
import { Alert, Button, Group, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, send } from '../api.ts';
import type { Field, Report, ReportOutputSettings, Row, Section } from '../records.ts';
import { DistributedView, PanelView, RowsView } from './ReportOutput.tsx';
import { LoadingState } from './States.tsx';

/** The editor's unsaved report, as a save would send it; these are the keys the preview shows. */
export type PreviewReport = Pick<Report, 'name' | 'type' | 'strategy' | 'total_fields' | 'output'> & {
  sections: Array<Pick<Section, 'title'> & { output?: ReportOutputSettings }>;
  fields: Array<Pick<Field, 'name' | 'label'> & { default: unknown }>;
};

interface Result {
  rows: Row[];
  message: string;
  report: PreviewReport;
}

export function PreviewRun({ report }: { report: PreviewReport }) {
  const [values, setValues] = useState<Record<string, string>>({});
  // The last result stays on screen while the next preview runs; a failure clears it.
  const [result, setResult] = useState<Result | null>(null);
  // A preview saves nothing, so nothing is refetched.
  const preview = useMutation({
    mutationFn: async (shown: PreviewReport): Promise<Result> => {
      const params: Record<string, string> = {};
      for (const field of shown.fields) {
        const value = values[field.name]?.trim();
        if (value) params[field.name] = value;
      }
      const answer = await send(api.POST('/api/admin/reports/preview/', { body: { report: shown, params } }));
      return { rows: answer.records, message: answer.message, report: shown };
    },
    onSuccess: setResult,
    onError: () => setResult(null),
  });
  const error = preview.isError ? errorMessage(preview.error) : null;
  const running = preview.isPending;

  const shown = result?.report;
  return (
    <Stack component="section" aria-label="Preview" gap="sm">
      <Group justify="space-between">
        <Title order={3} size="h4">
          Preview
        </Title>
        <Button variant="light" onClick={() => preview.mutate(report)} loading={running}>
          Preview
        </Button>
      </Group>
      <Text size="xs" c="dimmed">
        Runs the SQL as it is in the editor, unsaved, as you; at most 1,000 rows.
      </Text>
      {report.fields.length > 0 && (
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          {report.fields.map((field) => (
            <TextInput
              key={field.name}
              label={`Preview ${field.label || field.name}`}
              placeholder={
                field.default === null || field.default === ''
                  ? 'default'
                  : `default ${String(field.default)}`
              }
              value={values[field.name] ?? ''}
              onChange={(event) => {
                const value = event.currentTarget.value;
                setValues((current) => ({ ...current, [field.name]: value }));
              }}
            />
          ))}
        </SimpleGrid>
      )}
      {error && (
        <Alert color="red" role="alert" title="The preview failed">
          {error}
        </Alert>
      )}
      {running && !result && <LoadingState label="Running the preview" />}
      {result && shown && (
        <Stack gap="xs" data-testid="preview-result">
          {result.message && (
            <Alert color="yellow" role="status">
              {result.message}
            </Alert>
          )}
          {shown.type === 'panel' ? (
            <PanelView records={result.rows} sections={shown.sections} />
          ) : shown.strategy === 'distribute' ? (
            <DistributedView
              rows={result.rows}
              output={shown.output}
              totalFields={shown.total_fields}
              label={`Preview of ${shown.name}`}
            />
          ) : (
            <RowsView
              rows={result.rows}
              output={shown.output}
              totalFields={shown.total_fields}
              label={`Preview of ${shown.name}`}
            />
          )}
        </Stack>
      )}
    </Stack>
  );
}
