/** "Schedule": a schedule of this report with the form's current values, made by `POST /api/schedules/`. */
import { Alert, Button, Group, Modal, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, errorMessage, type RequestBody, recordsOf } from '../../api.ts';
import { affectedBy, invalidate } from '../../query-keys.ts';
import type { Schedule } from '../../records.ts';
import type { Values } from '../FieldForm.tsx';
import {
  type DeliveriesDraft,
  DeliveriesForm,
  deliveriesBody,
  initialDeliveries,
} from './DeliveriesForm.tsx';
import { filledParams } from './model.ts';

const PRESETS = ['hourly', 'daily', 'weekly', 'monthly'] as const;

const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function timeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set(['UTC', browserTimeZone(), ...zones])];
}

type FieldKey = 'name' | 'cron' | 'timezone' | 'to' | 'url' | 'headers' | 'secret';

/** Which input a server message is about: messages start with the field's path. */
export function fieldOfMessage(message: string): FieldKey | null {
  const path = /^"?([\w.-]+)"?(?: is invalid)?:/.exec(message)?.[1] ?? '';
  const byPrefix: [string, FieldKey][] = [
    ['deliveries.email.to', 'to'],
    ['deliveries.api.url', 'url'],
    ['deliveries.api.headers', 'headers'],
    ['deliveries.api.secret', 'secret'],
    ['cron', 'cron'],
    ['timezone', 'timezone'],
    ['name', 'name'],
  ];
  return byPrefix.find(([prefix]) => path === prefix || path.startsWith(`${prefix}.`))?.[1] ?? null;
}

interface Props {
  slug: string;
  reportName: string;
  values: Values;
  email: string | null;
  opened: boolean;
  onClose(): void;
  onCreated(schedule: Schedule): void;
}

type NewSchedule = RequestBody<'/api/schedules/', 'post'>;

function useCreateSchedule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: NewSchedule) => (await recordsOf(api.POST('/api/schedules/', { body })))[0],
    onSuccess: () => invalidate(client, affectedBy.schedule),
  });
}

export function ScheduleDialog({ slug, reportName, values, email, opened, onClose, onCreated }: Props) {
  const zones = useMemo(timeZones, []);
  const [name, setName] = useState(reportName);
  const [preset, setPreset] = useState<string>('daily');
  const [cron, setCron] = useState('0 8 * * 1-5');
  const [timezone, setTimezone] = useState(browserTimeZone);
  const [deliveries, setDeliveries] = useState<DeliveriesDraft>(() => initialDeliveries(email));
  const creation = useCreateSchedule();
  const error = creation.isError ? errorMessage(creation.error) : null;

  const field = error ? fieldOfMessage(error) : null;
  const errorFor = (key: FieldKey) => (field === key && error ? error : undefined);

  function create() {
    const body = {
      report: slug,
      name: name.trim() || reportName,
      cron: preset === 'cron' ? cron.trim() : preset,
      timezone,
      params: filledParams(values),
      deliveries: deliveriesBody(deliveries),
    };
    creation.mutate(body, {
      onSuccess: (created) => {
        if (created) onCreated(created);
        onClose();
      },
    });
  }

  return (
    <Modal opened={opened} onClose={onClose} title={`Schedule “${reportName}”`} size="lg">
      <Stack>
        <TextInput
          label="Schedule name"
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={errorFor('name')}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label="Runs"
            value={preset}
            allowDeselect={false}
            onChange={(value) => setPreset(value ?? 'daily')}
            data={[
              ...PRESETS.map((value) => ({ value, label: value[0]?.toUpperCase() + value.slice(1) })),
              { value: 'cron', label: 'Cron expression' },
            ]}
          />
          {preset === 'cron' && (
            <TextInput
              label="Cron expression"
              description="minute hour day-of-month month day-of-week"
              value={cron}
              onChange={(event) => setCron(event.currentTarget.value)}
              error={errorFor('cron')}
            />
          )}
        </SimpleGrid>
        <Select
          label="Time zone"
          value={timezone}
          onChange={(value) => setTimezone(value ?? 'UTC')}
          data={zones}
          searchable
          allowDeselect={false}
          error={errorFor('timezone')}
        />
        <DeliveriesForm
          draft={deliveries}
          onChange={(change) => setDeliveries((previous) => ({ ...previous, ...change }))}
          errors={{
            to: errorFor('to'),
            url: errorFor('url'),
            headers: errorFor('headers'),
            secret: errorFor('secret'),
          }}
        />
        {error && (
          <Alert color="red" role="alert" data-testid="schedule-error">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={create} loading={creation.isPending}>
            Create schedule
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
