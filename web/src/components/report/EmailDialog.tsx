/** "Email": run the report with the form's values and mail it through `/report/mail/<slug>/`. */
import { Alert, Button, Group, Modal, Select, Stack, TagsInput, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, send } from '../../api.ts';
import type { Values } from '../FieldForm.tsx';
import { type Attach, paramsFormData } from './model.ts';

interface Props {
  slug: string;
  reportName: string;
  values: Values;
  defaultTo: string | null;
  opened: boolean;
  onClose(): void;
}

export function EmailDialog({ slug, reportName, values, defaultTo, opened, onClose }: Props) {
  const [to, setTo] = useState<string[]>(defaultTo ? [defaultTo] : []);
  const [subject, setSubject] = useState(`Report: ${reportName}`);
  const [attach, setAttach] = useState<Attach | 'none'>('none');
  // Mailing changes nothing the app shows, so nothing is refetched.
  const sending = useMutation({
    mutationFn: async () => {
      const form = paramsFormData(values);
      for (const address of to) form.append('_mail_to', address);
      if (subject.trim()) form.append('_mail_subject', subject.trim());
      if (attach !== 'none') form.append('_mail_attach', attach);
      const answer = await send(
        api.POST('/report/mail/{report}/', {
          params: { path: { report: slug } },
          // Lists repeat their name, as in a query string, which a plain object cannot say.
          body: Object.fromEntries(form),
          bodySerializer: () => form.toString(),
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        }),
      );
      const result = answer.records[0];
      const rows = result ? `${result.rows} row${result.rows === 1 ? '' : 's'}` : 'the report';
      return answer.message || `Sent ${rows} to ${(result?.to ?? to).join(', ')}`;
    },
  });
  const outcome = sending.isSuccess
    ? { ok: true, text: sending.data }
    : sending.isError
      ? { ok: false, text: errorMessage(sending.error) }
      : null;

  return (
    <Modal opened={opened} onClose={onClose} title={`Email “${reportName}”`} size="lg">
      <Stack>
        <TagsInput
          label="Recipients"
          description="Your own address, or addresses in the domains the server allows. Press Enter after each."
          value={to}
          onChange={setTo}
          splitChars={[',', ' ', ';']}
        />
        <TextInput
          label="Subject"
          value={subject}
          onChange={(event) => setSubject(event.currentTarget.value)}
        />
        <Select
          label="Attachment"
          value={attach}
          onChange={(value) => setAttach((value as Attach | 'none' | null) ?? 'none')}
          allowDeselect={false}
          data={[
            { value: 'none', label: 'None (table in the message only)' },
            { value: 'csv', label: 'CSV' },
            { value: 'xlsx', label: 'XLSX' },
          ]}
        />
        {outcome && (
          <Alert
            color={outcome.ok ? 'green' : 'red'}
            role={outcome.ok ? 'status' : 'alert'}
            data-testid="email-outcome"
          >
            {outcome.text}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
          <Button onClick={() => sending.mutate()} loading={sending.isPending}>
            Send
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
