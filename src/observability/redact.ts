/**
 * What never reaches a log line: credentials in headers, and query parameters whose name looks
 * like a secret. Tokens are refused in URLs (src/http/auth.ts), but the refused request is still
 * logged, and report parameters may carry a password a caller should not have put there.
 */

export const REDACTED = '[redacted]';

/** Matched against the decoded parameter name anywhere in it; over-redacting costs only readability. */
const SECRET_NAME = /pass|secret|token|key|auth|signature|sig$|credential|cookie|session|jwt|private/i;

/** Paths pino censors in any object logged, as a second line of defence behind the serializers. */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

function decodedName(part: string): string {
  const raw = part.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

export const looksSecret = (name: string) => SECRET_NAME.test(name);

/** The URL with the value of every secret-looking query parameter replaced; the rest untouched. */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark < 0) return url;
  const query = url
    .slice(mark + 1)
    .split('&')
    .map((part) => {
      const name = part.split('=', 1)[0] ?? '';
      return looksSecret(decodedName(part)) ? `${name}=${REDACTED}` : part;
    })
    .join('&');
  return `${url.slice(0, mark)}?${query}`;
}
