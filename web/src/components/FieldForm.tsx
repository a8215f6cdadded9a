/** The report's parameters, one labelled widget per field type, and the Run button. */
import {
  Button,
  Group,
  MultiSelect,
  NumberInput,
  Select,
  SimpleGrid,
  Switch,
  TextInput,
} from '@mantine/core';
import { DateInput, DateTimePicker } from '@mantine/dates';
import { useQuery } from '@tanstack/react-query';
import { api, recordsOf } from '../api.ts';
import { queryKeys } from '../query-keys.ts';
import type { Field } from '../records.ts';

export type Values = Record<string, unknown>;

/** Form values from the fields' defaults. */
export function initialValues(fields: Field[]): Values {
  return Object.fromEntries(
    fields.map((field) => {
      const value = field.default;
      if (field.type === 'multiselect') return [field.name, Array.isArray(value) ? value.map(String) : []];
      if (field.type === 'boolean') return [field.name, value === true || value === 'true' || value === 1];
      return [field.name, value ?? ''];
    }),
  );
}

const asOptions = (choices: Array<{ value: unknown; label?: string }>) =>
  choices.map((choice) => ({ value: String(choice.value), label: choice.label ?? String(choice.value) }));

function useChoices(field: Field) {
  return useQuery({
    queryKey: queryKeys.fieldChoices(field.id),
    enabled: Boolean(field.has_choices_sql && field.id),
    queryFn: () =>
      recordsOf(api.GET('/api/choices/{fieldId}/', { params: { path: { fieldId: field.id ?? 0 } } })),
  });
}

interface WidgetProps {
  field: Field;
  value: unknown;
  onChange(value: unknown): void;
}

function ChoiceWidget({ field, value, onChange }: WidgetProps) {
  const fetched = useChoices(field);
  const data = asOptions(field.choices ?? fetched.data ?? []);
  const common = {
    label: field.label || field.name,
    description: field.help || undefined,
    required: field.required,
    data,
    searchable: true,
    error: fetched.isError ? fetched.error.message : undefined,
    placeholder: fetched.isPending && field.has_choices_sql ? 'Loading choices…' : undefined,
  };
  if (field.type === 'multiselect') {
    return <MultiSelect {...common} value={(value as string[]) ?? []} onChange={onChange} clearable />;
  }
  return <Select {...common} value={value === '' ? null : String(value)} onChange={onChange} clearable />;
}

function Widget({ field, value, onChange }: WidgetProps) {
  const label = field.label || field.name;
  const common = { label, description: field.help || undefined, required: field.required };
  switch (field.type) {
    case 'integer':
    case 'number':
      return (
        <NumberInput
          {...common}
          allowDecimal={field.type === 'number'}
          value={value as number | string}
          onChange={onChange}
        />
      );
    case 'date':
      return (
        <DateInput
          {...common}
          valueFormat="YYYY-MM-DD"
          clearable
          value={(value as string) || null}
          onChange={(next) => onChange(next ?? '')}
        />
      );
    case 'datetime':
      return (
        <DateTimePicker
          {...common}
          valueFormat="YYYY-MM-DD HH:mm"
          clearable
          value={(value as string) || null}
          onChange={(next) => onChange(next ?? '')}
        />
      );
    case 'boolean':
      return (
        <Switch
          {...common}
          mt="lg"
          checked={Boolean(value)}
          onChange={(event) => onChange(event.currentTarget.checked)}
        />
      );
    case 'select':
    case 'multiselect':
      return <ChoiceWidget field={field} value={value} onChange={onChange} />;
    default:
      return (
        <TextInput
          {...common}
          value={String(value ?? '')}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
  }
}

export function FieldForm({
  fields,
  values,
  onChange,
  onRun,
  running,
}: {
  fields: Field[];
  values: Values;
  onChange(values: Values): void;
  onRun(): void;
  /** A run is fetching: the Run button spins (and waits) until it is done. */
  running: boolean;
}) {
  return (
    <form
      aria-label="Report parameters"
      onSubmit={(event) => {
        event.preventDefault();
        onRun();
      }}
    >
      {fields.length > 0 && (
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} mb="sm">
          {fields.map((field) => (
            <Widget
              key={field.name}
              field={field}
              value={values[field.name]}
              onChange={(value) => onChange({ ...values, [field.name]: value })}
            />
          ))}
        </SimpleGrid>
      )}
      <Group>
        <Button type="submit" loading={running}>
          Run
        </Button>
      </Group>
    </form>
  );
}
