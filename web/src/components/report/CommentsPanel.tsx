/**
 * Comments on a report: list, add, and edit or delete your own. Bodies are React text children,
 * never HTML, so markup in a comment shows as the characters it is made of.
 */
import { Alert, Button, Card, Group, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, recordsOf, send } from '../../api.ts';
import { affectedBy, invalidate, queryKeys } from '../../query-keys.ts';
import type { Comment, Me } from '../../records.ts';
import { ErrorState, LoadingState } from '../States.tsx';
import { localTime } from './model.ts';

/** A change of the report's comments; only its comment list refetches. */
function useCommentChange<TVariables>(slug: string, mutationFn: (variables: TVariables) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => invalidate(client, affectedBy.comments(slug)) });
}

function CommentItem({ comment, slug, me }: { comment: Comment; slug: string; me: Me }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(comment.body);
  const mine = comment.author === me.name;
  const params = { path: { report: slug, id: comment.id } };
  const path = '/api/reports/{report}/comments/{id}/';
  const update = useCommentChange(slug, (body: string) => send(api.PUT(path, { params, body: { body } })));
  const remove = useCommentChange(slug, () => send(api.DELETE(path, { params })));
  const failed = update.error ?? remove.error;
  const save = () => update.mutate(draft, { onSuccess: () => setEditing(false) });
  return (
    <Card withBorder p="sm" data-testid="comment">
      <Group justify="space-between" gap="xs">
        <Text size="sm" fw={600}>
          {comment.author}
        </Text>
        <Text size="xs" c="dimmed">
          {localTime(comment.created_at)}
          {comment.edited && (
            <span title={`edited ${localTime(comment.updated_at)}`} data-testid="comment-edited">
              {' '}
              · edited
            </span>
          )}
        </Text>
      </Group>
      {editing ? (
        <Stack gap="xs" mt="xs">
          <Textarea
            label="Edit comment"
            autosize
            minRows={2}
            value={draft}
            onChange={(event) => setDraft(event.currentTarget.value)}
          />
          <Group gap="xs">
            <Button size="xs" onClick={save} loading={update.isPending}>
              Save comment
            </Button>
            <Button size="xs" variant="default" onClick={() => setEditing(false)}>
              Cancel
            </Button>
          </Group>
        </Stack>
      ) : (
        <Text mt="xs" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="comment-body">
          {comment.body}
        </Text>
      )}
      {!editing && (mine || me.is_admin) && (
        <Group gap="xs" mt="xs">
          {mine && (
            <Button
              size="compact-xs"
              variant="subtle"
              onClick={() => {
                setDraft(comment.body);
                setEditing(true);
              }}
            >
              Edit
            </Button>
          )}
          <Button
            size="compact-xs"
            variant="subtle"
            color="red"
            loading={remove.isPending}
            onClick={() => remove.mutate()}
          >
            Delete
          </Button>
        </Group>
      )}
      {failed && (
        <Alert color="red" role="alert" mt="xs" p="xs">
          {errorMessage(failed)}
        </Alert>
      )}
    </Card>
  );
}

export function CommentsPanel({ slug, me }: { slug: string; me: Me }) {
  const [body, setBody] = useState('');
  const params = { path: { report: slug } };
  const path = '/api/reports/{report}/comments/';
  const post = useCommentChange(slug, (text: string) =>
    send(api.POST(path, { params, body: { body: text } })),
  );
  const comments = useQuery({
    queryKey: queryKeys.comments(slug),
    queryFn: ({ signal }) => recordsOf(api.GET(path, { params, signal })),
  });
  const add = () => post.mutate(body, { onSuccess: () => setBody('') });
  return (
    <Stack data-testid="comments">
      {comments.isPending && <LoadingState label="Loading the comments" />}
      {comments.isError && <ErrorState error={comments.error} title="Comments cannot be shown" />}
      {comments.data && !comments.data.length && <Text c="dimmed">No comments yet.</Text>}
      {comments.data?.map((comment) => (
        <CommentItem key={comment.id} comment={comment} slug={slug} me={me} />
      ))}
      <Textarea
        label="Add a comment"
        autosize
        minRows={2}
        maxLength={5000}
        value={body}
        onChange={(event) => setBody(event.currentTarget.value)}
      />
      {post.isError && (
        <Alert color="red" role="alert" p="xs">
          {errorMessage(post.error)}
        </Alert>
      )}
      <Group>
        <Button onClick={add} loading={post.isPending} disabled={!body.trim()}>
          Post comment
        </Button>
      </Group>
    </Stack>
  );
}
