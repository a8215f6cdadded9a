/** The deliveries part of the schedule dialog: email and/or an API target with headers and secret. */
import {
  ActionIcon,
  Button,
  Checkbox,
  Fieldset,
  Group,
  Input,
  PasswordInput,
  Select,
  Stack,
  TagsInput,
  TextInput,
} from '@mantine/core';
import type { RequestBody } from '../../api.ts';
import type { Attach } from './model.ts';

type Deliveries = RequestBody<'/api/schedules/', 'post'>['deliveries'];

export interface HeaderRow {
  key: string;
  value: string;
}

export interface DeliveriesDraft {
  email: boolean;
  to: string[];
  attach: Attach | 'none';
  skipIfEmpty: boolean;
  api: boolean;
  url: string;
  headers: HeaderRow[];
  secret: string;
}

export const initialDeliveries = (email: string | null): DeliveriesDraft => ({
  email: Boolean(email),
  to: email ? [email] : [],
  attach: 'none',
  skipIfEmpty: false,
  api: false,
  url: '',
  headers: [],
  secret: '',
});

/** The API body's `deliveries` from the draft. */
export function deliveriesBody(draft: DeliveriesDraft): Deliveries {
  const body: Deliveries = {};
  if (draft.email) {
    body.email = {
      to: draft.to,
      attach: draft.attach === 'none' ? null : draft.attach,
      skipIfEmpty: draft.skipIfEmpty,
    };
  }
  if (draft.api) {
    const headers = Object.fromEntries(
      draft.headers.filter((row) => row.key.trim()).map((row) => [row.key.trim(), row.value]),
    );
    body.api = { url: draft.url.trim(), headers, ...(draft.secret ? { secret: draft.secret } : {}) };
  }
  return body;
}

interface Props {
  draft: DeliveriesDraft;
  onChange(change: Partial<DeliveriesDraft>): void;
  /** The server's error, when it names a delivery field. */
  errors: Partial<Record<'to' | 'url' | 'headers' | 'secret', string>>;
}

export function DeliveriesForm({ draft, onChange, errors }: Props) {
  const setHeader = (index: number, change: Partial<HeaderRow>) =>
    onChange({ headers: draft.headers.map((row, i) => (i === index ? { ...row, ...change } : row)) });
  return (
    <Stack gap="sm">
      <Checkbox
        label="Deliver by email"
        checked={draft.email}
        onChange={(event) => onChange({ email: event.currentTarget.checked })}
      />
      {draft.email && (
        <Fieldset legend="Email">
          <Stack gap="xs">
            <TagsInput
              label="Email recipients"
              value={draft.to}
              onChange={(to) => onChange({ to })}
              splitChars={[',', ' ', ';']}
              error={errors.to}
            />
            <Select
              label="Email attachment"
              value={draft.attach}
              allowDeselect={false}
              onChange={(value) => onChange({ attach: (value as Attach | 'none' | null) ?? 'none' })}
              data={[
                { value: 'none', label: 'None (table in the message only)' },
                { value: 'csv', label: 'CSV' },
                { value: 'xlsx', label: 'XLSX' },
              ]}
            />
            <Checkbox
              label="Skip when the report returns no rows"
              checked={draft.skipIfEmpty}
              onChange={(event) => onChange({ skipIfEmpty: event.currentTarget.checked })}
            />
          </Stack>
        </Fieldset>
      )}
      <Checkbox
        label="Deliver to an API target"
        checked={draft.api}
        onChange={(event) => onChange({ api: event.currentTarget.checked })}
      />
      {draft.api && (
        <Fieldset legend="API target">
          <Stack gap="xs">
            <TextInput
              label="Target URL"
              placeholder="https://hooks.example.com/reports"
              value={draft.url}
              onChange={(event) => onChange({ url: event.currentTarget.value })}
              error={errors.url}
            />
            {draft.headers.map((row, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
              <Group key={index} gap="xs" wrap="nowrap" align="end">
                <TextInput
                  label={`Header ${index + 1} name`}
                  value={row.key}
                  onChange={(event) => setHeader(index, { key: event.currentTarget.value })}
                  style={{ flex: 1 }}
                />
                <TextInput
                  label={`Header ${index + 1} value`}
                  value={row.value}
                  onChange={(event) => setHeader(index, { value: event.currentTarget.value })}
                  style={{ flex: 1 }}
                />
                <ActionIcon
                  variant="default"
                  size="lg"
                  aria-label={`Remove header ${index + 1}`}
                  onClick={() => onChange({ headers: draft.headers.filter((_, i) => i !== index) })}
                >
                  ×
                </ActionIcon>
              </Group>
            ))}
            {errors.headers && <Input.Error>{errors.headers}</Input.Error>}
            <Group>
              <Button
                size="xs"
                variant="default"
                onClick={() => onChange({ headers: [...draft.headers, { key: '', value: '' }] })}
              >
                Add header
              </Button>
            </Group>
            <PasswordInput
              label="Signing secret"
              description="Optional, at least 16 characters; the body is signed with HMAC-SHA256."
              value={draft.secret}
              onChange={(event) => onChange({ secret: event.currentTarget.value })}
              error={errors.secret}
            />
          </Stack>
        </Fieldset>
      )}
    </Stack>
  );
}
