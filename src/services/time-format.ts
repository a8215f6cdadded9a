/** Renders a stored ISO time the way records show times: `YYYY-MM-DD HH:MM:SS.ffffff` (UTC). */
export function recordTime(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(iso);
  if (!match) return iso;
  return `${match[1]} ${match[2]}.${(match[3] ?? '').padEnd(6, '0').slice(0, 6)}`;
}
