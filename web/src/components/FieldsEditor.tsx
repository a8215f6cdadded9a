/** Edits a report's fields: name, label, type, required, default, choices or choices SQL, order. */
import {
  ActionIcon,
  Button,
  Checkbox,
  Fieldset,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Textarea,
  TextInput,
} from '@mantine/core';
import { type Choice, enumValues, type Field, type FieldType, oneOf } from '../records.ts';

const TYPES = enumValues<FieldType>({
  text: true,
  integer: true,
  number: true,
  date: true,
  datetime: true,
  boolean: true,
  select: true,
  multiselect: true,
});

/** Choices as lines of `value` or `value|label`. */
export const choicesToText = (choices: Choice[] | null) =>
  (choices ?? []).map((c) => (c.label ? `${c.value}|${c.label}` : String(c.value))).join('\n');

export function textToChoices(text: string): Choice[] | null {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines.length === 0) return null;
  return lines.map((line) => {
    const [value = '', ...label] = line.split('|');
    return label.length ? { value, label: label.join('|') } : { value };
  });
}

/** Set by the server on saved fields only. */
type Saved = 'id' | 'field_order' | 'has_choices_sql' | 'help';

/** A field being edited: its default and choices as the text the inputs show. */
export type DraftField = Omit<Field, 'default' | 'choices' | Saved> &
  Partial<Pick<Field, Saved>> & {
    default: string;
    choicesText: string;
  };

export const newField = (index: number): DraftField => ({
  name: `_param${index + 1}`,
  label: '',
  type: 'text',
  required: false,
  default: '',
  choicesText: '',
  choices_sql: null,
});

function FieldRow({
  field,
  index,
  count,
  onChange,
  onMove,
  onRemove,
}: {
  field: DraftField;
  index: number;
  count: number;
  onChange(field: DraftField): void;
  onMove(delta: number): void;
  onRemove(): void;
}) {
  const set = (patch: Partial<DraftField>) => onChange({ ...field, ...patch });
  const hasChoices = field.type === 'select' || field.type === 'multiselect';
  return (
    <Fieldset legend={`Field ${index + 1}: ${field.name}`}>
      <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
        <TextInput
          label="Name (bind variable)"
          value={field.name}
          onChange={(e) => set({ name: e.currentTarget.value })}
        />
        <TextInput
          label="Label"
          value={field.label}
          onChange={(e) => set({ label: e.currentTarget.value })}
        />
        <Select
          label="Type"
          data={TYPES}
          value={field.type}
          allowDeselect={false}
          onChange={(value) => set({ type: oneOf(TYPES, value, 'text') })}
        />
        <TextInput
          label="Default"
          description={field.type === 'multiselect' ? 'Comma-separated' : undefined}
          value={field.default}
          onChange={(e) => set({ default: e.currentTarget.value })}
        />
      </SimpleGrid>
      {hasChoices && (
        <SimpleGrid cols={{ base: 1, sm: 2 }} mt="sm">
          <Textarea
            label="Choices"
            description="One per line: value or value|label"
            autosize
            minRows={2}
            value={field.choicesText}
            onChange={(e) => set({ choicesText: e.currentTarget.value })}
          />
          <Textarea
            label="Choices SQL"
            description="Or a query returning value and optional label"
            autosize
            minRows={2}
            value={field.choices_sql ?? ''}
            onChange={(e) => set({ choices_sql: e.currentTarget.value || null })}
          />
        </SimpleGrid>
      )}
      <Group mt="sm" justify="space-between">
        <Checkbox
          label="Required"
          checked={field.required}
          onChange={(e) => set({ required: e.currentTarget.checked })}
        />
        <Group gap="xs">
          <ActionIcon
            variant="default"
            aria-label={`Move ${field.name} up`}
            disabled={index === 0}
            onClick={() => onMove(-1)}
          >
            ↑
          </ActionIcon>
          <ActionIcon
            variant="default"
            aria-label={`Move ${field.name} down`}
            disabled={index === count - 1}
            onClick={() => onMove(1)}
          >
            ↓
          </ActionIcon>
          <Button size="xs" color="red" variant="light" onClick={onRemove}>
            Remove field
          </Button>
        </Group>
      </Group>
    </Fieldset>
  );
}

export function FieldsEditor({
  fields,
  onChange,
}: {
  fields: DraftField[];
  onChange(fields: DraftField[]): void;
}) {
  const move = (index: number, delta: number) => {
    const next = [...fields];
    const [moved] = next.splice(index, 1);
    if (moved) next.splice(index + delta, 0, moved);
    onChange(next);
  };
  return (
    <Stack>
      {fields.map((field, index) => (
        <FieldRow
          key={String(index)}
          field={field}
          index={index}
          count={fields.length}
          onChange={(changed) => onChange(fields.map((f, i) => (i === index ? changed : f)))}
          onMove={(delta) => move(index, delta)}
          onRemove={() => onChange(fields.filter((_, i) => i !== index))}
        />
      ))}
      <Group>
        <Button variant="light" onClick={() => onChange([...fields, newField(fields.length)])}>
          Add field
        </Button>
      </Group>
    </Stack>
  );
}
