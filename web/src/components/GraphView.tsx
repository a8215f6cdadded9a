/** Bar, line, area, pie and scatter charts with ECharts, from the report's graph settings. */
import * as echarts from 'echarts';
import { useEffect, useRef } from 'react';
import type { Row } from '../records.ts';
import { columnsOf } from './ResultTable.tsx';

/**
 * The graph settings this chart reads. The server stores a report's `output.graph` as an object
 * it does not interpret, so these keys are the web app's own, not a copy of a server type.
 */
export type GraphSettings = {
  type?: 'bar' | 'line' | 'area' | 'pie' | 'scatter';
  x?: string;
  y?: string[];
  series?: string;
};

/** One series per y column, or per value of the `series` column when the settings name one. */
export function chartOption(rows: Row[], settings: GraphSettings = {}): echarts.EChartsOption {
  const names = columnsOf(rows);
  const type = settings.type ?? 'bar';
  const x = settings.x ?? names[0] ?? '';
  const ys = settings.y?.length ? settings.y : names.filter((name) => name !== x).slice(0, 1);
  if (type === 'pie') {
    const y = ys[0] ?? '';
    return {
      tooltip: { trigger: 'item' },
      legend: { type: 'scroll', bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: '65%',
          data: rows.map((row) => ({ name: String(row[x]), value: Number(row[y]) })),
        },
      ],
    };
  }
  const categories = [...new Set(rows.map((row) => String(row[x])))];
  const groups = settings.series
    ? [...new Set(rows.map((row) => String(row[settings.series as string])))]
    : [null];
  const series = groups.flatMap((group) =>
    ys.map((y) => {
      const subset =
        group === null ? rows : rows.filter((row) => String(row[settings.series as string]) === group);
      const name = group === null ? y : ys.length > 1 ? `${group} ${y}` : group;
      if (type === 'scatter') {
        return {
          type: 'scatter' as const,
          name,
          data: subset.map((row) => [Number(row[x]), Number(row[y])]),
        };
      }
      const byX = new Map(subset.map((row) => [String(row[x]), Number(row[y])]));
      return {
        type: type === 'area' ? ('line' as const) : type,
        name,
        areaStyle: type === 'area' ? {} : undefined,
        data: categories.map((category) => byX.get(category) ?? null),
      };
    }),
  );
  return {
    tooltip: { trigger: type === 'scatter' ? 'item' : 'axis' },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 48, right: 16, top: 24, bottom: 56, containLabel: true },
    xAxis: type === 'scatter' ? { type: 'value', name: x } : { type: 'category', data: categories, name: x },
    yAxis: { type: 'value' },
    series: series as echarts.SeriesOption[],
  };
}

export function GraphView({
  rows,
  settings,
  label,
}: {
  rows: Row[];
  settings?: GraphSettings;
  label: string;
}) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!element.current) return;
    const chart = echarts.init(element.current, undefined, { renderer: 'canvas' });
    chart.setOption(chartOption(rows, settings));
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(element.current);
    return () => {
      observer.disconnect();
      chart.dispose();
    };
  }, [rows, settings]);
  return (
    <div ref={element} role="img" aria-label={`Chart: ${label}`} style={{ width: '100%', height: 380 }} />
  );
}
