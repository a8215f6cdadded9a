/**
 * The result grid: sortable by any column, virtualised so 100k rows stay smooth, with a totals
 * row for the report's total fields and safe per-row styles from a hidden `row_style` column.
 */
import {
  type ColumnDef,
  flexRender,
  getCoreRowModel,
  getSortedRowModel,
  type SortingState,
  useReactTable,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import type { Row } from '../records.ts';
import { rowStyle } from './row-style.ts';

const ROW_HEIGHT = 29;

export const columnsOf = (rows: Row[]) => [...new Set(rows.flatMap((row) => Object.keys(row)))];

export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function totals(rows: Row[], fields: string[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const field of fields) {
    sums[field] = rows.reduce((sum, row) => sum + (Number(row[field]) || 0), 0);
  }
  return sums;
}

export function ResultTable({
  rows,
  totalFields = [],
  label,
}: {
  rows: Row[];
  totalFields?: string[];
  label: string;
}) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const names = useMemo(() => columnsOf(rows).filter((name) => name !== 'row_style'), [rows]);
  const columns = useMemo<ColumnDef<Row>[]>(
    () =>
      names.map((name) => ({
        id: name,
        accessorFn: (row) => row[name] as never,
        header: name,
        cell: (info) => formatCell(info.getValue()),
        sortingFn: 'basic',
        sortDescFirst: false,
        sortUndefined: 'last',
      })),
    [names],
  );
  const table = useReactTable({
    data: rows,
    columns,
    state: { sorting },
    onSortingChange: setSorting,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
  });
  const sorted = table.getRowModel().rows;
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: sorted.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });
  const items = virtualizer.getVirtualItems();
  const before = items[0]?.start ?? 0;
  const after = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  const sums = useMemo(() => totals(rows, totalFields), [rows, totalFields]);
  const shownTotals = totalFields.filter((field) => names.includes(field));

  return (
    <div ref={scroller} style={{ maxHeight: '65vh', overflow: 'auto' }} data-testid="result-table">
      <table className="result-table" aria-label={label} aria-rowcount={sorted.length + 1}>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const direction = header.column.getIsSorted();
                return (
                  <th
                    key={header.id}
                    aria-sort={
                      direction === 'asc' ? 'ascending' : direction === 'desc' ? 'descending' : 'none'
                    }
                  >
                    <button
                      type="button"
                      className="sort-button"
                      onClick={header.column.getToggleSortingHandler()}
                      title={`Sort by ${header.id}`}
                    >
                      {flexRender(header.column.columnDef.header, header.getContext())}
                      {direction === 'asc' ? ' ▲' : direction === 'desc' ? ' ▼' : ''}
                    </button>
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {before > 0 && <tr style={{ height: before }} />}
          {items.map((item) => {
            const row = sorted[item.index];
            if (!row) return null;
            return (
              <tr key={row.id} style={rowStyle(row.original.row_style)} aria-rowindex={item.index + 2}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
                ))}
              </tr>
            );
          })}
          {after > 0 && <tr style={{ height: after }} />}
        </tbody>
        {shownTotals.length > 0 && (
          <tfoot>
            <tr data-testid="totals-row">
              {names.map((name, index) => (
                <td key={name}>
                  {shownTotals.includes(name)
                    ? Number(sums[name]?.toFixed(6)).toString()
                    : index === 0
                      ? 'Total'
                      : ''}
                </td>
              ))}
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
