/** Tokens as cards; + Add shows the new header string once, with a copy button; delete. */
import {
  Badge,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { api, type RequestBody, send } from '../../api.ts';
import { OutcomeAlert, useList } from '../../components/admin-kit.tsx';
import { EmptyState, QueryStatus } from '../../components/States.tsx';
import { affectedBy, queryKeys } from '../../query-keys.ts';
import { useChange, useOutcome } from '../../use-change.ts';

type NewToken = RequestBody<'/api/admin/tokens/', 'post'>;
type Period = NewToken['expiry'];

/** A label per period the server takes; the compiler keeps the keys equal to the server's list. */
const PERIOD_LABELS: Record<Period, string> = {
  '1d': '1 day',
  '1w': '1 week',
  '1m': '1 month',
  '3m': '3 months',
  '6m': '6 months',
  '1y': '1 year',
};
const PERIODS = Object.entries(PERIOD_LABELS).map(([value, label]) => ({ value, label }));
const isPeriod = (value: string | null): value is Period => value !== null && value in PERIOD_LABELS;

function AddToken({ onCreated }: { onCreated(header: string, name: string): void }) {
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState<Period>('1m');
  const [groups, setGroups] = useState<string[]>([]);
  const outcome = useOutcome();
  const create = useChange(outcome, {
    mutationFn: async (body: NewToken) => {
      const created = await send(api.POST('/api/admin/tokens/', { body }));
      return created.records[0]?.header ?? '';
    },
    invalidates: affectedBy.token,
    done: (body) => `Token "${body.name}" created`,
  });
  function submit(event: React.FormEvent) {
    event.preventDefault();
    create.mutate(
      { name, expiry, groups },
      {
        onSuccess: (header, body) => {
          onCreated(header, body.name);
          setName('');
          setGroups([]);
        },
      },
    );
  }
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} aria-label="Add a token">
        <Title order={3} size="h5" mb="sm">
          Add a token
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput
            label="Name"
            description="Letters a-z, digits, . _ and -; case is ignored"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Select
            label="Expires after"
            data={PERIODS}
            value={expiry}
            onChange={(value) => isPeriod(value) && setExpiry(value)}
            allowDeselect={false}
          />
          <TagsInput
            label="Groups"
            description="Press Enter after each; * for everyone"
            value={groups}
            onChange={setGroups}
          />
        </SimpleGrid>
        <Group mt="sm">
          <Button type="submit" loading={create.isPending}>
            Add token
          </Button>
        </Group>
        {outcome.outcome && !outcome.outcome.ok && (
          <OutcomeAlert outcome={outcome.outcome} onClose={outcome.clear} />
        )}
      </form>
    </Paper>
  );
}

export function TokensPage() {
  const tokens = useList(queryKeys.admin.tokens, '/api/admin/tokens/');
  const [created, setCreated] = useState<{ header: string; name: string } | null>(null);
  const outcome = useOutcome();
  const remove = useChange(outcome, {
    mutationFn: (name: string) =>
      send(api.DELETE('/api/admin/tokens/{name}/', { params: { path: { name } } })),
    invalidates: affectedBy.token,
    done: (name) => `Token "${name}" deleted`,
  });
  return (
    <Stack>
      <Title order={2}>Tokens</Title>
      <AddToken onCreated={(header, name) => setCreated({ header, name })} />
      {created && (
        <Paper withBorder p="md" bg="yellow.0" role="status">
          <Text fw={600}>Copy the header of "{created.name}" now: it is shown only once.</Text>
          <Group mt="xs" wrap="nowrap" align="center">
            <Code data-testid="token-header" style={{ wordBreak: 'break-all' }}>
              Authorization: {created.header}
            </Code>
            <CopyButton value={`Authorization: ${created.header}`}>
              {({ copied, copy }) => (
                <Button size="xs" onClick={copy}>
                  {copied ? 'Copied' : 'Copy header'}
                </Button>
              )}
            </CopyButton>
            <Button size="xs" variant="default" onClick={() => setCreated(null)}>
              Done
            </Button>
          </Group>
        </Paper>
      )}
      <OutcomeAlert outcome={outcome.outcome} onClose={outcome.clear} />
      <QueryStatus query={tokens} />
      {tokens.isSuccess && tokens.data.length === 0 && <EmptyState>No tokens yet.</EmptyState>}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {tokens.data?.map((token) => (
          <Card key={token.name} withBorder data-testid="token-card">
            <Group justify="space-between">
              <Text fw={600}>{token.name}</Text>
              <Badge color={token.active === 'Y' ? 'green' : 'gray'}>
                {token.active === 'Y' ? 'active' : 'expired'}
              </Badge>
            </Group>
            <Text size="sm">Groups: {token.groups}</Text>
            <Text size="sm">Expires: {token.expiry}</Text>
            <Text size="xs" c="dimmed">
              Created {token.created} by {token.created_by}
            </Text>
            <Group mt="sm">
              <Button
                size="xs"
                color="red"
                variant="light"
                onClick={() =>
                  window.confirm(`Delete the token "${token.name}"? Programs using it stop working.`) &&
                  remove.mutate(token.name)
                }
              >
                Delete {token.name}
              </Button>
            </Group>
          </Card>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
