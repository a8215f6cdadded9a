/**
 * PostgreSQL value mapping (SPEC §4.7). Every column arrives as PostgreSQL's own text output and
 * is converted by type OID here, instead of node-postgres' default parsers, because those turn
 * timestamps into JS Dates (losing microseconds and the zone) and numerics into unbounded strings.
 */
import type { JsonValue } from '../driver.ts';
import {
  binaryToJson,
  decimalFromText,
  floatFromText,
  integerFromText,
  jsonFromText,
  timestampFromText,
  timestampTzFromText,
} from '../value-mapping.ts';

type Parser = (text: string) => JsonValue;

const asText: Parser = (text) => text;
const asNumber: Parser = (text) => Number(text);
/** `bytea_output = 'hex'` is set for every run, so values look like `\x0102ff`. */
const asBytea: Parser = (text) =>
  text.startsWith('\\x') ? binaryToJson(Buffer.from(text.slice(2), 'hex')) : text;

/** OID → [type name, parser] for the built-in types; anything else is text named by `typeName`. */
const builtins: Record<number, [string, Parser]> = {
  16: ['bool', (text) => text === 't'],
  17: ['bytea', asBytea],
  18: ['char', asText],
  19: ['name', asText],
  20: ['int8', integerFromText],
  21: ['int2', asNumber],
  23: ['int4', asNumber],
  25: ['text', asText],
  26: ['oid', asNumber],
  114: ['json', jsonFromText],
  142: ['xml', asText],
  650: ['cidr', asText],
  700: ['float4', floatFromText],
  701: ['float8', floatFromText],
  705: ['unknown', asText],
  790: ['money', asText],
  829: ['macaddr', asText],
  869: ['inet', asText],
  1042: ['bpchar', asText],
  1043: ['varchar', asText],
  1082: ['date', asText], // DateStyle ISO (set per run) prints YYYY-MM-DD
  1083: ['time', asText],
  1114: ['timestamp', timestampFromText],
  1184: ['timestamptz', (text) => timestampTzFromText(text, true)],
  1186: ['interval', asText],
  1266: ['timetz', asText],
  1560: ['bit', asText],
  1562: ['varbit', asText],
  1700: ['numeric', decimalFromText],
  2950: ['uuid', asText],
  3802: ['jsonb', jsonFromText],
  // Arrays keep PostgreSQL's array literal text, e.g. `{1,2,3}`.
  199: ['_json', asText],
  1000: ['_bool', asText],
  1005: ['_int2', asText],
  1007: ['_int4', asText],
  1009: ['_text', asText],
  1015: ['_varchar', asText],
  1016: ['_int8', asText],
  1021: ['_float4', asText],
  1022: ['_float8', asText],
  1115: ['_timestamp', asText],
  1182: ['_date', asText],
  1185: ['_timestamptz', asText],
  1231: ['_numeric', asText],
  2951: ['_uuid', asText],
  3807: ['_jsonb', asText],
};

/** The lower-case type name for a column, `unknown` for types outside the built-in list (enums, domains…). */
export function typeName(oid: number): string {
  return builtins[oid]?.[0] ?? 'unknown';
}

/** node-postgres `types` hook: text-format values only, as the driver never asks for binary results. */
export const pgTypes = {
  getTypeParser: (oid: number): Parser => builtins[oid]?.[1] ?? asText,
};
