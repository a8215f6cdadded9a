/** Download the current run as CSV, XLSX or JSON (panel reports only as JSON: several tables). */
import { Button, Group, Tooltip } from '@mantine/core';
import { queryString } from '../api.ts';

export function Downloads({
  slug,
  params,
  panel,
}: {
  slug: string;
  params: Record<string, unknown>;
  panel: boolean;
}) {
  const query = queryString(params);
  const base = `/api/call/${encodeURIComponent(slug)}`;
  return (
    <Group gap="xs" aria-label="Downloads" role="group">
      {(['csv', 'xlsx'] as const).map((format) =>
        panel ? (
          <Tooltip key={format} label="A panel report has several tables; download it as JSON">
            <Button size="xs" variant="default" disabled>
              {format.toUpperCase()}
            </Button>
          </Tooltip>
        ) : (
          <Button
            key={format}
            size="xs"
            variant="default"
            component="a"
            href={`${base}/${format}/${query}`}
            download={`${slug}.${format}`}
          >
            {format.toUpperCase()}
          </Button>
        ),
      )}
      <Button size="xs" variant="default" component="a" href={`${base}/${query}`} download={`${slug}.json`}>
        JSON
      </Button>
    </Group>
  );
}
