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
import { api, type RecordOf, send } from '../../api.ts';
import { OutcomeAlert, useList } from '../../components/admin-kit.tsx';
import { QueryStatus } from '../../components/States.tsx';
import { affectedBy, queryKeys } from '../../query-keys.ts';
import { type OutcomeState, useChange, useOutcome } from '../../use-change.ts';

type GroupListView = RecordOf<'/api/admin/group-lists/'>;

const invalidates = affectedBy.groupList;

/** The upload as multipart form data, its one file under the documented field name. */
function multipart({ file }: { file: Blob }) {
  const form = new FormData();
  form.append('file', file);
  return form;
}

/** The changes of one group list, sharing the page's outcome. */
function useListChanges(name: string, outcome: OutcomeState) {
  const params = { path: { name } };
  const upload = useChange(outcome, {
    mutationFn: (file: File) =>
      send(
        api.PUT('/api/admin/group-lists/{name}/image/', {
          params,
          body: { file },
          bodySerializer: multipart,
        }),
      ),
    invalidates,
    done: () => `Image of "${name}" uploaded`,
  });
  const saveImageUrl = useChange(outcome, {
    mutationFn: (imageUrl: string) =>
      send(api.PUT('/api/admin/group-lists/{name}/', { params, body: { image_url: imageUrl || null } })),
    invalidates,
    done: () => 'Image URL saved',
  });
  const remove = useChange(outcome, {
    mutationFn: () => send(api.DELETE('/api/admin/group-lists/{name}/', { params })),
    invalidates,
    done: () => `"${name}" deleted`,
  });
  const addMember = useChange(outcome, {
    mutationFn: (email: string) =>
      send(api.POST('/api/admin/group-lists/{name}/members/', { params, body: { email } })),
    invalidates: affectedBy.groupMembers,
    done: (email) => `${email} added`,
  });
  const removeMember = useChange(outcome, {
    mutationFn: (email: string) =>
      send(
        api.DELETE('/api/admin/group-lists/{name}/members/{email}/', { params: { path: { name, email } } }),
      ),
    invalidates: affectedBy.groupMembers,
    done: (email) => `${email} removed`,
  });
  return { upload, saveImageUrl, remove, addMember, removeMember };
}

function GroupListCard({ list, outcome }: { list: GroupListView; outcome: OutcomeState }) {
  const [member, setMember] = useState('');
  const [imageUrl, setImageUrl] = useState(list.image_url ?? '');
  const change = useListChanges(list.name, outcome);
  const upload = (file: File | null) => file && change.upload.mutate(file);
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
          onClick={() => window.confirm(`Delete "${list.name}"?`) && change.remove.mutate()}
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
            <CloseButton aria-label={`Remove ${email}`} onClick={() => change.removeMember.mutate(email)} />
          </Group>
        ))}
      </Stack>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          change.addMember.mutate(member, { onSuccess: () => setMember('') });
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
        <Button variant="light" onClick={() => change.saveImageUrl.mutate(imageUrl)}>
          Save URL
        </Button>
      </Group>
    </Card>
  );
}

export function GroupListsPage() {
  const lists = useList(queryKeys.admin.groupLists, '/api/admin/group-lists/');
  const outcome = useOutcome();
  const [draft, setDraft] = useState({ name: '', description: '' });
  const create = useChange(outcome, {
    mutationFn: (body: typeof draft) => send(api.POST('/api/admin/group-lists/', { body })),
    invalidates,
    done: (body) => `"${body.name}" created`,
  });
  return (
    <Stack>
      <Title order={2}>Group lists</Title>
      <OutcomeAlert outcome={outcome.outcome} onClose={outcome.clear} />
      <QueryStatus query={lists} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {lists.data?.map((list) => (
          <GroupListCard key={list.name} list={list} outcome={outcome} />
        ))}
      </SimpleGrid>
      <Paper withBorder p="md">
        <form
          aria-label="Add a group list"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate(draft);
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
          <Button type="submit" mt="sm" loading={create.isPending}>
            Add group list
          </Button>
        </form>
      </Paper>
    </Stack>
  );
}
