/**
 * An API target's custom headers usually carry credentials (`Authorization`, `X-Api-Key`), so
 * they are kept like connection passwords: the values sealed with the server key (the same
 * AES-256-GCM box), only the names in clear so schedules can be listed without opening them.
 * The API shows names with `has_value: true`, never a value. Schedules saved before sealing have
 * a plaintext `headers` object; it is still read, and sealed at start (sealPlaintextHeaders).
 */
import { badRequest } from '../errors.ts';
import type { SecretBox } from './server-key.ts';

/** The API target as stored in `schedule.deliveries_json`. */
export interface StoredApiTarget {
  url: string;
  header_names?: string[];
  /** `box.seal(JSON.stringify(headers))`, or null without headers. */
  headers_sealed?: string | null;
  /** The plaintext form of schedules saved before headers were sealed. */
  headers?: Record<string, string> | undefined;
  secret_sealed?: string | null;
}

export type HeaderFields = Pick<StoredApiTarget, 'header_names' | 'headers_sealed'>;

export function sealHeaders(headers: Record<string, string>, box: SecretBox): HeaderFields {
  const names = Object.keys(headers);
  return { header_names: names, headers_sealed: names.length ? box.seal(JSON.stringify(headers)) : null };
}

/** The header values for a delivery; plaintext rows are read as they are. */
export function openHeaders(target: StoredApiTarget, box: SecretBox): Record<string, string> {
  if (target.headers_sealed) return JSON.parse(box.open(target.headers_sealed)) as Record<string, string>;
  return target.headers ?? {};
}

/** What the API shows: names only. */
export function presentHeaders(target: StoredApiTarget): Array<{ name: string; has_value: true }> {
  const names = target.header_names ?? Object.keys(target.headers ?? {});
  return names.map((name) => ({ name, has_value: true as const }));
}

const hasHeaders = (target: StoredApiTarget) =>
  Boolean(target.headers_sealed) || Object.keys(target.headers ?? {}).length > 0;

const originOf = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

/**
 * The header fields to store on save. Given headers replace the stored ones (`{}` removes
 * them); omitted, the stored ones are kept — but only for the same target origin, since
 * keeping them while the URL moves to another host would hand its credentials to that host.
 */
export function headersOnSave(
  given: Record<string, string> | undefined,
  url: string,
  previous: StoredApiTarget | undefined,
  box: SecretBox,
): HeaderFields {
  if (given !== undefined) return sealHeaders(given, box);
  if (!previous || !hasHeaders(previous)) return { header_names: [], headers_sealed: null };
  if (originOf(url) !== originOf(previous.url)) {
    throw badRequest(
      `deliveries.api.headers: the target moved from ${originOf(previous.url)} to ${originOf(url) ?? url}; ` +
        'send the headers again (stored header values are kept only for the same target)',
    );
  }
  if (previous.headers_sealed) {
    return { header_names: previous.header_names ?? [], headers_sealed: previous.headers_sealed };
  }
  return sealHeaders(previous.headers ?? {}, box);
}

/** The stored target with plaintext headers sealed, or null when there is nothing to seal. */
export function sealedTarget(target: StoredApiTarget, box: SecretBox): StoredApiTarget | null {
  if (target.headers === undefined) return null;
  const { headers, ...rest } = target;
  return { ...rest, ...sealHeaders(headers, box) };
}
