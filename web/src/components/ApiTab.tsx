/** Ready-to-copy curl and Python calls for this report with the current parameters. */
import { Button, Code, CopyButton, Group, Stack, Text, Title } from '@mantine/core';
import { queryString } from '../api.ts';

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

function pythonParams(params: Record<string, unknown>): string {
  const entries = Object.entries(params).filter(
    ([, value]) => value !== '' && value !== null && value !== undefined,
  );
  if (entries.length === 0) return '{}';
  return `{${entries.map(([name, value]) => `${JSON.stringify(name)}: ${JSON.stringify(value)}`).join(', ')}}`;
}

export function apiSnippets(origin: string, slug: string, params: Record<string, unknown>) {
  const url = `${origin}/api/call/${slug}/`;
  const curl = [
    `H='Authorization: Basic <your token>'`,
    `curl -H "$H" ${shellQuote(`${url}${queryString(params)}`)}`,
    `curl -H "$H" ${shellQuote(`${origin}/api/call/${slug}/csv/${queryString(params)}`)} > ${slug}.csv`,
  ].join('\n');
  const python = [
    'import requests',
    '',
    'response = requests.get(',
    `    ${JSON.stringify(url)},`,
    '    headers={"Authorization": "Basic <your token>"},',
    `    params=${pythonParams(params)},`,
    ')',
    'response.raise_for_status()',
    'print(response.json()["records"])',
  ].join('\n');
  return { curl, python };
}

function Snippet({ title, code }: { title: string; code: string }) {
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Title order={3} size="h5">
          {title}
        </Title>
        <CopyButton value={code}>
          {({ copied, copy }) => (
            <Button size="xs" variant="light" onClick={copy} aria-label={`Copy the ${title} call`}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Code block>{code}</Code>
    </Stack>
  );
}

export function ApiTab({ slug, params }: { slug: string; params: Record<string, unknown> }) {
  const { curl, python } = apiSnippets(window.location.origin, slug, params);
  return (
    <Stack>
      <Text size="sm">
        Create a token under Admin → Tokens (or ask an admin) and put its header in place of{' '}
        <Code>Basic &lt;your token&gt;</Code>.
      </Text>
      <Snippet title="curl" code={curl} />
      <Snippet title="Python" code={python} />
    </Stack>
  );
}
