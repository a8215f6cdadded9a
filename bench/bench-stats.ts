/**
 * Repetitions summarised as min / median / max, and goals judged on the median, as SPEC §12
 * asks: one figure per repetition goes in, one PASS or MISS per goal comes out.
 */

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: number[]): Spread {
  if (values.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
}

/** `min / median / max` with a fixed number of digits. */
export function formatSpread(value: Spread, digits: number): string {
  return [value.min, value.median, value.max].map((n) => n.toFixed(digits)).join(' / ');
}

export interface GoalResult {
  goal: string;
  /** The measured median, with its unit, and the spread it came from. */
  measured: string;
  pass: boolean;
}

export const verdict = (pass: boolean) => (pass ? 'PASS' : 'MISS');

/** A table row: the label padded, then each cell right-aligned. */
export function tableRow(label: string, cells: string[], width = 26): string {
  return `${label.padEnd(16)}${cells.map((cell) => cell.padStart(width)).join('')}`;
}

export function printGoals(results: GoalResult[]): void {
  console.log('\nGoals (median of the repetitions)\n');
  for (const result of results) {
    console.log(`${verdict(result.pass)}  ${result.goal.padEnd(58)} ${result.measured}`);
  }
}
