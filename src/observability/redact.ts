/**
 * What never reaches a log line: credentials in headers, query parameters whose name looks like
 * a secret, and the user-info of URLs (`scheme://user:password@host`). Tokens are refused in URLs
 * (src/http/auth.ts), but the refused request is still logged; report parameters may carry a
 * password a caller should not have put there; and a database's error text may quote a
 * connection URL or a `password=…` setting.
 */

export const REDACTED = '[redacted]';

/**
 * Matched against the decoded parameter name anywhere in it, case-insensitively; it covers every
 * name the authenticator refuses (CREDENTIAL_PARAMS). Over-redacting costs only readability.
 */
const SECRET_NAME = /pass|pwd|secret|token|key|auth|signature|sig$|credential|cookie|session|jwt|private/i;

/** Paths pino censors in any object logged, as a second line of defence behind the serializers. */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

/** A name shown as sent when it decodes to this; anything else (`token%3Dvalue`) could smuggle a value. */
const PLAIN_NAME = /^[A-Za-z0-9_.\-[\]]*$/;

/**
 * `scheme://user-info@`: the user-info runs to the last `@` before the first `/ ? #` or space (a
 * password may hold an unencoded `@`). Inside a JSON log line
 * a quote ends it too, and a backslash always takes the character it escapes, so a match never
 * leaves the JSON string it starts in.
 */
const USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/?#"\\]|\\.)+@/gi;

/** `password=…` / `secret: …` as in libpq-style connection strings and driver messages. */
const SETTING =
  /\b(password|passwd|pwd|secret|token|api_?key|access_token|auth_token)(\s*[=:]\s*)('[^'"\\]*'|[^\s&;,()'"\\]+)/gi;

/** `?name=value` / `&name=value` with a credential-looking name, inside any text. */
const QUERY_PAIR = /([?&;])([^=&?#\s"\\]*)=([^&#\s"\\]*)/g;

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

const shownName = (name: string) => (PLAIN_NAME.test(decoded(name)) ? name : REDACTED);

export const looksSecret = (name: string) => SECRET_NAME.test(name);

/** True when a (decoded) value carries a URL with user-info or a query string of its own with a secret. */
function valueHidesSecret(value: string): boolean {
  const text = decoded(value);
  return redactText(text) !== text;
}

/**
 * The URL with the value of every secret-looking query parameter replaced, and any value that
 * holds a URL with user-info or a nested secret-looking parameter; the rest untouched.
 */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark < 0) return redactText(url);
  const query = url
    .slice(mark + 1)
    .split('&')
    .map((part) => {
      const equals = part.indexOf('=');
      const name = equals < 0 ? part : part.slice(0, equals);
      const value = equals < 0 ? '' : part.slice(equals + 1);
      if (looksSecret(decoded(name))) return `${shownName(name)}=${REDACTED}`;
      if (valueHidesSecret(value)) return `${name}=${REDACTED}`;
      return part;
    })
    .join('&');
  return `${redactText(url.slice(0, mark))}?${query}`;
}

/**
 * Free text (a message, an error, a whole JSON log line) with URL user-info, `password=…`
 * settings and credential-looking query parameters replaced. Cheap checks first: most log lines
 * hold none of the markers and are returned as they are.
 */
export function redactText(text: string): string {
  let result = text;
  if (result.includes('://') && result.includes('@')) result = result.replace(USER_INFO, `$1${REDACTED}@`);
  // One scan for any secret-looking word (about 2 µs for a request line) spares the other two.
  if (!SECRET_NAME.test(result)) return result;
  result = result.replace(
    SETTING,
    (_all, name: string, separator: string) => `${name}${separator}${REDACTED}`,
  );
  return result.replace(QUERY_PAIR, (all, lead: string, name: string) =>
    looksSecret(decoded(name)) ? `${lead}${shownName(name)}=${REDACTED}` : all,
  );
}
