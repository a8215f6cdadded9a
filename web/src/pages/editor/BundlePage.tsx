/**
 * `/bundle`: export every connection (no secrets), cluster, report, group list and access group
 * as YAML or JSON; import a bundle file (admins). An import error names the bad entry.
 */
import { Alert, Button, Code, FileInput, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, send } from '../../api.ts';
import { affectedBy, invalidate } from '../../query-keys.ts';
import { useMe } from '../../session.ts';

type Summary = Record<string, unknown>;

const summaryRows = (summary: Summary) =>
  Object.entries(summary).map(([key, value]) => [
    key.replace(/_/g, ' '),
    typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value),
  ]);

function useImportBundle() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (file: File) => {
      const text = await file.text();
      const isJson = /\.json$/i.test(file.name) || text.trimStart().startsWith('{');
      const answer = await send(
        api.POST('/api/admin/bundle/import/', {
          body: text,
          // The file goes as it is: the server parses YAML and JSON alike.
          bodySerializer: (body) => body,
          headers: { 'Content-Type': isJson ? 'application/json' : 'application/yaml' },
        }),
      );
      return answer.records[0] ?? {};
    },
    onSuccess: () => invalidate(client, affectedBy.bundleImport),
  });
}

export function BundlePage() {
  const me = useMe().data;
  const [file, setFile] = useState<File | null>(null);
  const importBundle = useImportBundle();
  const summary = importBundle.data;

  return (
    <Stack maw={720}>
      <Title order={2}>Import / export</Title>
      <Stack component="section" aria-label="Export" gap="xs">
        <Title order={3} size="h4">
          Export
        </Title>
        <Text size="sm" c="dimmed">
          Connections (without passwords), clusters, reports with fields and sections, group lists and access
          groups, as one file.
        </Text>
        <Group>
          <Button component="a" href="/api/admin/bundle/export/?format=yaml" download="bundle.yaml">
            Export YAML
          </Button>
          <Button
            component="a"
            variant="default"
            href="/api/admin/bundle/export/?format=json"
            download="bundle.json"
          >
            Export JSON
          </Button>
        </Group>
      </Stack>
      <Stack component="section" aria-label="Import" gap="xs">
        <Title order={3} size="h4">
          Import
        </Title>
        {me?.is_editor || me?.is_admin ? (
          <>
            <Text size="sm" c="dimmed">
              Entries are matched by name: new ones are created, changed ones replaced. An admin's import
              makes reports live at once; an editor's bundle may hold reports only, and each becomes a draft
              version for review. Everything is imported in one transaction, or nothing.
            </Text>
            <FileInput
              label="Bundle file"
              placeholder="Choose a .yaml, .yml or .json file"
              accept=".yaml,.yml,.json,application/json,application/yaml,text/yaml"
              value={file}
              onChange={setFile}
              clearable
            />
            <Group>
              <Button
                onClick={() => file && importBundle.mutate(file)}
                loading={importBundle.isPending}
                disabled={!file}
              >
                Import
              </Button>
            </Group>
            {importBundle.isError && (
              <Alert color="red" role="alert" title="Not imported">
                {errorMessage(importBundle.error)}
              </Alert>
            )}
            {summary && (
              <Alert color="green" role="status" title="Imported" data-testid="import-summary">
                <Table withRowBorders={false} fz="sm">
                  <Table.Tbody>
                    {summaryRows(summary).map(([key, value]) => (
                      <Table.Tr key={key}>
                        <Table.Td>{key}</Table.Td>
                        <Table.Td>
                          <Code>{value}</Code>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Alert>
            )}
          </>
        ) : (
          <Text size="sm">Only editors and admins import bundles.</Text>
        )}
      </Stack>
    </Stack>
  );
}
