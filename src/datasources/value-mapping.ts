/**
 * Value conversions shared by the drivers' `types.ts` files, so every database renders a value of
 * the same kind identically (SPEC §4.7). Each driver decides *which* conversion a column gets;
 * this file only knows how to convert.
 */
import { parse as parseLossless } from 'lossless-json';
import type { JsonValue } from './driver.ts';

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const TIMESTAMP_TEXT = /^(\d{4,}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?$/;
const TIMESTAMP_TZ_TEXT =
  /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}(?::?\d{2}){0,2})$/;

/** An integer as text (pg `int8`, mysql2 big number strings): a number when exactly safe, else the text. */
export function integerFromText(text: string): JsonValue {
  if (!INTEGER_TEXT.test(text)) return text;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : String(BigInt(text));
}

/** A 64-bit integer read as bigint (better-sqlite3 `safeIntegers`): a number when safe, else its digits. */
export function integerFromBigInt(value: bigint): JsonValue {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

/**
 * An exact decimal as text. It becomes a number only when the number prints back as the same
 * decimal (trailing fractional zeros ignored: `12345.6700` → 12345.67) and stays within the safe
 * integer range, because a JSON reader cannot tell 2^53 + 1 from 2^53. Otherwise the database's
 * own text is kept, scale included, so nothing is lost.
 */
export function decimalFromText(text: string): JsonValue {
  return shortDecimal(text) ?? anyDecimal(text);
}

/** Most significant digits a decimal may have and still print back from its double unchanged. */
const DOUBLE_DIGITS = 15;

/**
 * The common case decided in one scan without building strings: plain decimal text as databases
 * print it (`-12.50`, `0.0001`, `42`; no `+`, no leading zeros) with at most 15 significant
 * digits. Every such decimal is the shortest text of its double (IEEE 754 guarantees 15 digits
 * round trip), so it is exact as a number. Undefined for anything else (the full check decides).
 */
function shortDecimal(text: string): number | undefined {
  const length = text.length;
  const intStart = text.charCodeAt(0) === 45 ? 1 : 0; // '-'
  let i = intStart;
  let c = text.charCodeAt(i);
  if (c === 48) {
    c = text.charCodeAt(++i); // one '0' before the point, as in `0.25`
    if (c >= 48 && c <= 57) return undefined; // `007`
  } else {
    if (!(c >= 49 && c <= 57)) return undefined; // `.5`, `NaN`, `+1`, ``
    while (c >= 48 && c <= 57) c = text.charCodeAt(++i);
  }
  // Fraction zeros after `0.` are counted too: a few more digits only send text to the full check.
  let digits = text.charCodeAt(intStart) === 48 ? 0 : i - intStart;
  if (i < length) {
    if (c !== 46) return undefined; // '.'
    const fractionStart = ++i;
    let significantEnd = fractionStart;
    for (c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) {
      if (c !== 48) significantEnd = i + 1;
    }
    if (i < length || i === fractionStart) return undefined; // trailing text, or `5.`
    digits += significantEnd - fractionStart;
  }
  return digits <= DOUBLE_DIGITS ? Number(text) : undefined;
}

function anyDecimal(text: string): JsonValue {
  const trimmed = withoutTrailingZeros(text);
  if (significantDigits(trimmed) > 17) return text; // no double holds more: skip the conversions
  const n = Number(trimmed);
  if (!Number.isFinite(n) || Math.abs(n) > Number.MAX_SAFE_INTEGER) return text; // NaN, Infinity, huge
  const printed = String(n);
  const plain = printed.includes('e') ? plainDecimal(n) : printed;
  if (plain === trimmed) return n; // `12345.6700`, `0.0000001`: decided without any parsing
  const canonical = canonicalDecimal(text); // rare shapes: `-0.000`, `.5`, `007`
  return canonical !== undefined && plain === canonical ? n : text;
}

function significantDigits(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57 && (count > 0 || c !== 48)) count++;
  }
  return count;
}

/** `12.3400` → `12.34`, `5.000` → `5`; text without a decimal point is returned as is. */
function withoutTrailingZeros(text: string): string {
  if (!text.includes('.')) return text;
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48) end--; // '0'
  if (text.charCodeAt(end - 1) === 46) end--; // '.'
  return text.slice(0, end);
}

/** `-0012.3400` → `-12.34`; `-0.000` → `0`; undefined when the text is not a plain decimal. */
function canonicalDecimal(text: string): string | undefined {
  const match = DECIMAL_TEXT.exec(text);
  if (!match || (match[2] === '' && !match[3])) return undefined;
  const intPart = (match[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  const unsigned = fraction ? `${intPart}.${fraction}` : intPart;
  return match[1] === '-' && unsigned !== '0' ? `-${unsigned}` : unsigned;
}

/** Prints a finite number without exponent, so `1e-7` compares equal to the text `0.0000001`. */
function plainDecimal(n: number): string {
  const printed = String(n);
  const exp = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(printed);
  if (!exp) return printed;
  const [, sign, lead, rest = '', power] = exp;
  const digits = `${lead}${rest}`;
  const point = 1 + Number(power);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Double precision floats: numbers, except NaN and ±Infinity which JSON cannot carry. */
export function floatToJson(value: number): JsonValue {
  return Number.isFinite(value) ? value : String(value);
}

/** Float text from the database (`0.1`, `NaN`, `-Infinity`). */
export function floatFromText(text: string): JsonValue {
  const n = Number(text);
  return Number.isFinite(n) && text.trim() !== '' ? n : text;
}

/**
 * A single precision float decoded to a double (mysql2's binary protocol yields
 * 0.10000000149011612 for FLOAT 0.1): the shortest decimal that is the same float32.
 */
export function float32ToJson(value: number): JsonValue {
  if (!Number.isFinite(value)) return String(value);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

/**
 * A timestamp without zone as text → `YYYY-MM-DD HH:MM:SS.ffffff`. Fractions shorter than six
 * digits are padded, longer ones kept whole (never rounded). Other text (`infinity`, BC dates,
 * epoch numbers stored in SQLite) is returned unchanged.
 */
export function timestampFromText(text: string): string {
  // PostgreSQL's and MySQL's own shapes, checked character by character: no regex match to build.
  if (text.length === 19 && isDateTime(text)) return `${text}.000000`;
  if (text.length === 26 && isDateTime(text) && isDigits(text, 20, 26) && text.charCodeAt(19) === 46) {
    return text;
  }
  const match = TIMESTAMP_TEXT.exec(text);
  if (!match) return text;
  return `${match[1]} ${match[2]}.${(match[3] ?? '').padEnd(6, '0')}`;
}

/** `YYYY-MM-DD HH:MM:SS` at the start of `text` (a space between date and time). */
function isDateTime(text: string): boolean {
  return (
    isDigits(text, 0, 4) &&
    text.charCodeAt(4) === 45 &&
    isDigits(text, 5, 7) &&
    text.charCodeAt(7) === 45 &&
    isDigits(text, 8, 10) &&
    text.charCodeAt(10) === 32 &&
    isDigits(text, 11, 13) &&
    text.charCodeAt(13) === 58 &&
    isDigits(text, 14, 16) &&
    text.charCodeAt(16) === 58 &&
    isDigits(text, 17, 19)
  );
}

function isDigits(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * A timestamp with offset as text → `YYYY-MM-DD HH:MM:SS.ffffff±HH:MM`. With `toUtc` the instant
 * is moved to `+00:00` (PostgreSQL prints timestamptz in the session's zone, which says nothing
 * about the data); without it the stored offset is kept. The fraction is carried over as text,
 * so no precision is lost in the shift (offsets are whole seconds).
 */
export function timestampTzFromText(text: string, toUtc: boolean): string {
  const m = TIMESTAMP_TZ_TEXT.exec(text);
  if (!m) return text;
  const fraction = (m[7] ?? '').padEnd(6, '0');
  const offset = parseOffset(m[8] ?? 'Z');
  if (!toUtc || offset.seconds === 0) {
    return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}.${fraction}${toUtc ? '+00:00' : offset.text}`;
  }
  const t = new Date(0);
  t.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  t.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]) - offset.seconds, 0);
  const year = t.getUTCFullYear();
  if (year < 1 || year > 9999) return text;
  const p = (n: number) => String(n).padStart(2, '0');
  const date = `${String(year).padStart(4, '0')}-${p(t.getUTCMonth() + 1)}-${p(t.getUTCDate())}`;
  return `${date} ${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())}.${fraction}+00:00`;
}

function parseOffset(text: string): { seconds: number; text: string } {
  if (text === 'Z') return { seconds: 0, text: '+00:00' };
  const digits = text.slice(1).replaceAll(':', '');
  const [h, m, s] = [digits.slice(0, 2), digits.slice(2, 4) || '00', digits.slice(4, 6) || '00'];
  const seconds = (Number(h) * 3600 + Number(m) * 60 + Number(s)) * (text.startsWith('-') ? -1 : 1);
  return { seconds, text: `${text[0]}${h}:${m}${s === '00' ? '' : `:${s}`}` };
}

/** Binary values travel as base64 text. */
export function binaryToJson(value: Uint8Array): string {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
}

/**
 * A run of 16 digits (dots between them allowed) or an exponent: a number JSON.parse might round.
 * Shorter numbers survive a double exactly, and the fast parser handles them.
 */
const LONG_NUMBER = /\d[\d.]{15}|\d[eE]/;

/**
 * JSON text → nested JSON, numbers inside mapped like columns (SPEC §4.7): integers beyond 2^53
 * and decimals a double cannot hold become strings of their digits instead of being rounded.
 * Text with no long number takes JSON.parse, which gives the same values faster. Text that does
 * not parse (it should not happen) stays text.
 */
export function jsonFromText(text: string): JsonValue {
  try {
    if (!LONG_NUMBER.test(text)) return JSON.parse(text) as JsonValue;
    try {
      return parseLossless(text, undefined, jsonNumber) as JsonValue;
    } catch {
      return JSON.parse(text) as JsonValue; // duplicate keys (json, not jsonb): the last one wins
    }
  } catch {
    return text;
  }
}

function jsonNumber(text: string): JsonValue {
  if (/[eE]/.test(text)) return floatFromText(text);
  return text.includes('.') ? decimalFromText(text) : integerFromText(text);
}
