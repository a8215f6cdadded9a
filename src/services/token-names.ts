/**
 * Token names are what audit records, schedules and admins read, so two names that look the same
 * must be the same name. A name is NFKC-normalised (full-width `ａｐｉ` becomes `api`), must then
 * consist of ASCII letters, digits, `.`, `_` and `-` only, and is compared in lower case.
 * ASCII only, because Unicode letters bring look-alikes no normalisation removes (Cyrillic `а`
 * for Latin `a`); the set also excludes every invisible character (zero-width joiners, format
 * and control characters) and the `:` that ends the name in Basic credentials.
 */
import { badRequest } from '../errors.ts';
import { RESERVED_PRINCIPAL_NAME } from '../policies/principal.ts';

export const TOKEN_NAME_MAX_LENGTH = 100;
const ALLOWED = /^[A-Za-z0-9._-]+$/;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}\p{M}\u115F\u1160\u3164\uFFA0]/u;

const codePoint = (char: string) =>
  `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `raw` is not a token name, or null when it is one. */
export function tokenNameProblem(raw: string): string | null {
  const name = raw.normalize('NFKC');
  if (name.length === 0) return 'give the token a name';
  if (name.length > TOKEN_NAME_MAX_LENGTH) return `must be at most ${TOKEN_NAME_MAX_LENGTH} characters`;
  if (ALLOWED.test(name)) return null;
  for (const char of name) {
    if (ALLOWED.test(char)) continue;
    if (INVISIBLE.test(char)) return `contains the invisible or space character ${codePoint(char)}`;
    const shown = `"${char}" (${codePoint(char)})`;
    return /\p{L}|\p{N}/u.test(char)
      ? `contains ${shown}; only ASCII letters and digits are allowed, so look-alikes of other names cannot be made`
      : `contains ${shown}; use only letters a-z, digits, ".", "_" and "-"`;
  }
  return 'is not a valid token name';
}

/** The name as stored and compared: normalised, lower case; null when it is not a valid name. */
export function tokenNameKey(raw: string): string | null {
  return tokenNameProblem(raw) === null ? raw.normalize('NFKC').toLowerCase() : null;
}

/** The key of a name a token may be created with; a 400 naming the problem otherwise. */
export function newTokenNameKey(raw: string): string {
  const problem = tokenNameProblem(raw);
  if (problem) throw badRequest(`name: "${raw}" ${problem}`);
  const key = raw.normalize('NFKC').toLowerCase();
  if (key === RESERVED_PRINCIPAL_NAME) {
    throw badRequest(
      `The token name "${RESERVED_PRINCIPAL_NAME}" is reserved for internal use (in any case)`,
    );
  }
  return key;
}
