/** Setting up the real server's connections and reports through its admin API, as an operator would. */

/** POSTs JSON with an admin token; anything but 201 stops the benchmark with the server's answer. */
export async function adminPost(base: string, authorization: string, path: string, body: unknown) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Creates a connection (and its cluster of the same name). */
export async function createConnection(
  base: string,
  authorization: string,
  connection: {
    name: string;
    driver: string;
    settings: Record<string, unknown>;
    statement_timeout_ms: number;
  },
): Promise<void> {
  await adminPost(base, authorization, '/api/admin/connections/', connection);
}

/** Creates a report and returns the slug `/api/call/<slug>/` answers on. */
export async function createReport(base: string, authorization: string, report: Record<string, unknown>) {
  const created = await adminPost(base, authorization, '/api/admin/reports/', report);
  // The answer is the `{message, ok, records}` envelope holding the created report.
  const slug = (created.records as { slug?: unknown }[] | undefined)?.[0]?.slug;
  if (typeof slug !== 'string') throw new Error(`report created without a slug: ${JSON.stringify(created)}`);
  return slug;
}
