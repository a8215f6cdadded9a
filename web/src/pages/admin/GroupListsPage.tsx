/** Group lists: members (add, remove), image (upload or URL), description; create, delete. */
import {
  Avatar,
  Button,
  Card,
  CloseButton,
  FileInput,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { call } from '../../api.ts';
import { OutcomeAlert, useAction, useList } from '../../components/admin-kit.tsx';
import { QueryStatus } from '../../components/States.tsx';

interface GroupListView {
  name: string;
  description: string;
  image_url: string | null;
  image: string | null;
  members: string[];
}

type Run = ReturnType<typeof useAction>['run'];
const pathOf = (name: string) => `/api/admin/group-lists/${encodeURIComponent(name)}/`;

function GroupListCard({ list, run }: { list: GroupListView; run: Run }) {
  const [member, setMember] = useState('');
  const [imageUrl, setImageUrl] = useState(list.image_url ?? '');
  const upload = (file: File | null) => {
    if (!file) return;
    const form = new FormData();
    form.append('image', file);
    void run(
      () => call(`${pathOf(list.name)}image/`, { method: 'PUT', body: form }),
      `Image of "${list.name}" uploaded`,
    );
  };
  return (
    <Card withBorder>
      <Group justify="space-between" wrap="nowrap">
        <Group wrap="nowrap">
          <Avatar src={list.image ?? list.image_url} alt="" radius="sm">
            {list.name.slice(0, 2).toUpperCase()}
          </Avatar>
          <div>
            <Text fw={600}>{list.name}</Text>
            <Text size="xs" c="dimmed">
              {list.description}
            </Text>
          </div>
        </Group>
        <Button
          size="xs"
          color="red"
          variant="subtle"
          onClick={() =>
            window.confirm(`Delete "${list.name}"?`) &&
            void run(() => call(pathOf(list.name), { method: 'DELETE' }), `"${list.name}" deleted`)
          }
        >
          Delete
        </Button>
      </Group>
      <Text size="sm" mt="sm" fw={500}>
        Members
      </Text>
      <Stack gap={2}>
        {list.members.map((email) => (
          <Group key={email} justify="space-between">
            <Text size="sm">{email}</Text>
            <CloseButton
              aria-label={`Remove ${email}`}
              onClick={() =>
                void run(
                  () =>
                    call(`${pathOf(list.name)}members/${encodeURIComponent(email)}/`, { method: 'DELETE' }),
                  `${email} removed`,
                )
              }
            />
          </Group>
        ))}
      </Stack>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void run(
            () => call(`${pathOf(list.name)}members/`, { method: 'POST', body: { email: member } }),
            `${member} added`,
          ).then((ok) => ok && setMember(''));
        }}
      >
        <Group mt="xs" align="end" wrap="nowrap">
          <TextInput
            label={`Add a member to ${list.name}`}
            type="email"
            value={member}
            onChange={(e) => setMember(e.currentTarget.value)}
            style={{ flex: 1 }}
          />
          <Button type="submit" variant="light">
            Add
          </Button>
        </Group>
      </form>
      <FileInput
        label="Upload an image (PNG, JPEG, GIF, WebP ≤ 512 KiB)"
        accept="image/png,image/jpeg,image/gif,image/webp"
        onChange={upload}
        mt="xs"
        clearable
      />
      <Group mt="xs" align="end" wrap="nowrap">
        <TextInput
          label="Or an image URL"
          value={imageUrl}
          onChange={(e) => setImageUrl(e.currentTarget.value)}
          style={{ flex: 1 }}
        />
        <Button
          variant="light"
          onClick={() =>
            void run(
              () => call(pathOf(list.name), { method: 'PUT', body: { image_url: imageUrl || null } }),
              'Image URL saved',
            )
          }
        >
          Save URL
        </Button>
      </Group>
    </Card>
  );
}

export function GroupListsPage() {
  const lists = useList<GroupListView>('/api/admin/group-lists/');
  const action = useAction();
  const [draft, setDraft] = useState({ name: '', description: '' });
  return (
    <Stack>
      <Title order={2}>Group lists</Title>
      <OutcomeAlert outcome={action.outcome} onClose={action.clear} />
      <QueryStatus query={lists} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {lists.data?.map((list) => (
          <GroupListCard key={list.name} list={list} run={action.run} />
        ))}
      </SimpleGrid>
      <Paper withBorder p="md">
        <form
          aria-label="Add a group list"
          onSubmit={(event) => {
            event.preventDefault();
            void action.run(
              () => call('/api/admin/group-lists/', { method: 'POST', body: draft }),
              `"${draft.name}" created`,
            );
          }}
        >
          <Title order={3} size="h5" mb="sm">
            Add a group list
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="Name"
              required
              value={draft.name}
              onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
            />
            <TextInput
              label="Description"
              value={draft.description}
              onChange={(e) => setDraft({ ...draft, description: e.currentTarget.value })}
            />
          </SimpleGrid>
          <Button type="submit" mt="sm" loading={action.busy}>
            Add group list
          </Button>
        </form>
      </Paper>
    </Stack>
  );
}
