/**
 * The versions of a report in the editor: number, state, author, time; a version's diff; and the
 * review actions its state allows (submit, approve, reject, promote).
 */
import { Alert, Badge, Box, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, firstOf, recordsOf, send } from '../api.ts';
import { affectedBy, invalidate, queryKeys } from '../query-keys.ts';
import type { Me, VersionState, VersionSummary } from '../records.ts';
import { useMe } from '../session.ts';
import { EmptyState, ErrorState, LoadingState } from './States.tsx';

type Action = 'submit' | 'approve' | 'reject' | 'promote';

const STATE_COLOURS: Record<VersionState, string> = {
  draft: 'gray',
  in_review: 'yellow',
  approved: 'blue',
  live: 'green',
  superseded: 'dark',
  rejected: 'red',
};

export const stateLabel = (state: VersionState) => state.replace('_', ' ');

export function StateBadge({ state }: { state: VersionState }) {
  return (
    <Badge color={STATE_COLOURS[state]} variant="light">
      {stateLabel(state)}
    </Badge>
  );
}

/** The actions the server accepts from this state (it still checks who may do them). */
function actionsFor(version: VersionSummary, me: Me | null | undefined): Action[] {
  const own = me?.name === version.author;
  switch (version.state) {
    case 'draft':
      return me?.is_admin ? ['submit', 'promote', 'reject'] : ['submit', 'reject'];
    case 'in_review': {
      const approve: Action[] = own ? [] : ['approve'];
      return [...approve, ...(me?.is_admin ? (['promote'] as Action[]) : []), 'reject'];
    }
    case 'approved':
      return ['promote', 'reject'];
    default:
      return [];
  }
}

const ACTION_LABELS: Record<Action, string> = {
  submit: 'Submit for review',
  approve: 'Approve',
  reject: 'Reject',
  promote: 'Promote to live',
};

/** A unified diff, one line each, added lines green and removed lines red. */
export function DiffView({ diff }: { diff: string }) {
  if (!diff.trim()) return <EmptyState>No changes from the version before.</EmptyState>;
  return (
    <Box
      component="pre"
      data-testid="version-diff"
      style={{
        fontFamily: 'var(--mantine-font-family-monospace)',
        fontSize: 'var(--mantine-font-size-xs)',
        overflowX: 'auto',
        margin: 0,
        padding: 'var(--mantine-spacing-xs)',
        border: '1px solid var(--mantine-color-default-border)',
        borderRadius: 'var(--mantine-radius-sm)',
      }}
    >
      {diff
        .split('\n')
        .map((text, position) => ({ text, position }))
        .map(({ text: line, position }) => {
          const added = line.startsWith('+') && !line.startsWith('+++');
          const removed = line.startsWith('-') && !line.startsWith('---');
          return (
            <div
              key={position}
              data-line={added ? 'added' : removed ? 'removed' : 'context'}
              style={{
                background: added
                  ? 'var(--mantine-color-green-light)'
                  : removed
                    ? 'var(--mantine-color-red-light)'
                    : undefined,
                color: added
                  ? 'var(--mantine-color-green-light-color)'
                  : removed
                    ? 'var(--mantine-color-red-light-color)'
                    : undefined,
              }}
            >
              {line || ' '}
            </div>
          );
        })}
    </Box>
  );
}

function VersionDiff({ slug, number }: { slug: string; number: number }) {
  const detail = useQuery({
    queryKey: queryKeys.version(slug, number),
    queryFn: async () =>
      firstOf(
        api.GET('/api/admin/reports/{report}/versions/{number}/', {
          params: { path: { report: slug, number } },
        }),
      ),
  });
  if (detail.isPending) return <LoadingState label="Loading the diff" />;
  if (detail.isError || !detail.data) return <ErrorState error={detail.error} />;
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500}>
        Changes in version {number}
      </Text>
      <DiffView diff={detail.data.diff} />
    </Stack>
  );
}

interface Step {
  version: VersionSummary;
  action: Action;
}

function useReviewStep(slug: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ version, action }: Step) =>
      send(
        api.POST(`/api/admin/reports/{report}/versions/{number}/${action}/`, {
          params: { path: { report: slug, number: version.number } },
        }),
      ),
    onSuccess: (_answer, { action }) =>
      invalidate(client, action === 'promote' ? affectedBy.promotion(slug) : affectedBy.reviewStep(slug)),
  });
}

function noticeOf(step: ReturnType<typeof useReviewStep>) {
  if (step.isError) return { ok: false, text: errorMessage(step.error) };
  if (!step.isSuccess) return null;
  const { version, action } = step.variables;
  return { ok: true, text: step.data.message || `Version ${version.number}: ${action} done` };
}

export function VersionHistory({ slug, initialNumber }: { slug: string; initialNumber?: number | null }) {
  const me = useMe().data;
  const [shown, setShown] = useState<number | null>(initialNumber ?? null);
  const step = useReviewStep(slug);
  const notice = noticeOf(step);
  const busy = step.isPending ? `${step.variables.version.number}-${step.variables.action}` : null;
  const versions = useQuery({
    queryKey: queryKeys.versions(slug),
    queryFn: () =>
      recordsOf(api.GET('/api/admin/reports/{report}/versions/', { params: { path: { report: slug } } })),
  });

  return (
    <Stack component="section" aria-label="Version history" gap="sm">
      <Title order={3} size="h4">
        Version history
      </Title>
      {notice && (
        <Alert color={notice.ok ? 'green' : 'red'} role={notice.ok ? 'status' : 'alert'}>
          {notice.text}
        </Alert>
      )}
      {versions.isPending ? (
        <LoadingState label="Loading versions" />
      ) : versions.isError ? (
        <ErrorState error={versions.error} />
      ) : versions.data.length === 0 ? (
        <EmptyState>No versions yet: the first save makes one.</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table striped data-testid="version-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Version</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Author</Table.Th>
                <Table.Th>Saved</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {versions.data.map((version) => (
                <Table.Tr key={version.number} data-testid={`version-${version.number}`}>
                  <Table.Td>{version.number}</Table.Td>
                  <Table.Td>
                    <StateBadge state={version.state} />
                  </Table.Td>
                  <Table.Td>{version.author}</Table.Td>
                  <Table.Td>
                    <Text
                      size="sm"
                      title={version.reviewed_by ? `Reviewed by ${version.reviewed_by}` : undefined}
                    >
                      {version.created_at.replace('T', ' ').slice(0, 19)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="wrap">
                      <Button
                        size="compact-xs"
                        variant={shown === version.number ? 'filled' : 'default'}
                        aria-pressed={shown === version.number}
                        aria-label={`Diff of version ${version.number}`}
                        onClick={() => setShown(shown === version.number ? null : version.number)}
                      >
                        Diff
                      </Button>
                      {actionsFor(version, me).map((action) => (
                        <Button
                          key={action}
                          size="compact-xs"
                          variant={action === 'reject' ? 'light' : 'default'}
                          color={action === 'reject' ? 'red' : undefined}
                          loading={busy === `${version.number}-${action}`}
                          aria-label={`${ACTION_LABELS[action]}: version ${version.number}`}
                          onClick={() => step.mutate({ version, action })}
                        >
                          {ACTION_LABELS[action]}
                        </Button>
                      ))}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {shown !== null && <VersionDiff slug={slug} number={shown} />}
    </Stack>
  );
}
