/** The sections of a panel report: a title and an SQL query each, shown as a table. */
import { Button, Fieldset, Group, Stack, Textarea, TextInput } from '@mantine/core';
import type { DraftSection as Section } from './report-draft.ts';

export function SectionsEditor({
  sections,
  onChange,
}: {
  sections: Section[];
  onChange(sections: Section[]): void;
}) {
  const update = (index: number, patch: Partial<Section>) =>
    onChange(sections.map((section, i) => (i === index ? { ...section, ...patch } : section)));
  return (
    <Stack>
      {sections.map((section, index) => (
        <Fieldset key={String(index)} legend={`Section ${index + 1}`}>
          <TextInput
            label="Title"
            value={section.title}
            onChange={(e) => update(index, { title: e.currentTarget.value })}
          />
          <Textarea
            label="SQL"
            autosize
            minRows={3}
            styles={{ input: { fontFamily: 'monospace' } }}
            value={section.sql ?? ''}
            onChange={(e) => update(index, { sql: e.currentTarget.value })}
          />
          <Group mt="xs">
            <Button
              size="xs"
              color="red"
              variant="light"
              onClick={() => onChange(sections.filter((_, i) => i !== index))}
            >
              Remove section
            </Button>
          </Group>
        </Fieldset>
      ))}
      <Group>
        <Button
          variant="light"
          onClick={() => onChange([...sections, { title: `Section ${sections.length + 1}`, sql: '' }])}
        >
          Add section
        </Button>
      </Group>
    </Stack>
  );
}
