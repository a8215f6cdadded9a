/** Output settings: display, graph settings, and the HTML template of template reports. */
import { Select, SimpleGrid, Stack, TagsInput, Textarea, TextInput } from '@mantine/core';
import { enumValues, oneOf, type ReportOutputSettings } from '../records.ts';
import type { GraphSettings } from './GraphView.tsx';

const DISPLAYS = enumValues<ReportOutputSettings['display']>({ table: true, graph: true, card: true });
export function OutputSettings({
  output,
  isTemplate,
  onChange,
}: {
  output: ReportOutputSettings;
  isTemplate: boolean;
  onChange(output: ReportOutputSettings): void;
}) {
  // The server keeps graph settings as an object it does not interpret; these are the chart's keys.
  const graph = (output.graph ?? {}) as GraphSettings;
  const setGraph = (patch: Partial<GraphSettings>) => onChange({ ...output, graph: { ...graph, ...patch } });
  return (
    <Stack>
      <Select
        label="Display"
        data={DISPLAYS}
        value={output.display}
        allowDeselect={false}
        onChange={(value) => onChange({ ...output, display: oneOf(DISPLAYS, value, 'table') })}
      />
      {output.display === 'graph' && (
        <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
          <Select
            label="Graph type"
            data={['bar', 'line', 'area', 'pie', 'scatter']}
            value={graph.type ?? 'bar'}
            allowDeselect={false}
            onChange={(value) => setGraph({ type: (value ?? 'bar') as GraphSettings['type'] })}
          />
          <TextInput
            label="X column"
            value={graph.x ?? ''}
            onChange={(e) => setGraph({ x: e.currentTarget.value })}
          />
          <TagsInput label="Y columns" value={graph.y ?? []} onChange={(y) => setGraph({ y })} />
          <TextInput
            label="Series column (optional)"
            value={graph.series ?? ''}
            onChange={(e) => setGraph({ series: e.currentTarget.value || undefined })}
          />
        </SimpleGrid>
      )}
      {isTemplate && (
        <Textarea
          label="HTML template"
          description="Nunjucks: {% for r in records %}…{% endfor %}; shown in a sandboxed frame"
          autosize
          minRows={4}
          styles={{ input: { fontFamily: 'monospace' } }}
          value={output.html_template ?? ''}
          onChange={(e) => onChange({ ...output, html_template: e.currentTarget.value })}
        />
      )}
    </Stack>
  );
}
