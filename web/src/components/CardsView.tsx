/** The `card` display: each record as a row of labelled figures. */
import { Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import type { Row } from '../records.ts';
import { columnsOf, formatCell } from './ResultTable.tsx';

export function CardsView({ rows }: { rows: Row[] }) {
  const names = columnsOf(rows).filter((name) => name !== 'row_style');
  return (
    <Stack>
      {rows.map((row, index) => (
        <SimpleGrid key={String(index)} cols={{ base: 1, xs: 2, md: 4 }}>
          {names.map((name) => (
            <Paper key={name} withBorder p="md" radius="md">
              <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                {name.replace(/_/g, ' ')}
              </Text>
              <Text size="xl" fw={700}>
                {formatCell(row[name])}
              </Text>
            </Paper>
          ))}
        </SimpleGrid>
      ))}
    </Stack>
  );
}
