/**
 * PostgreSQL value mapping (SPEC §4.7). Every column arrives as PostgreSQL's own text output and
 * is converted by type OID here, instead of node-postgres' default parsers, because those turn
 * timestamps into JS Dates (losing microseconds and the zone) and numerics into unbounded strings.
 */
import { parse as parseArray } from 'postgres-array';
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
};

/**
 * Array OID → element OID, for the built-in element types above. An array comes back as a JSON
 * array (nested for several dimensions) whose elements are mapped like columns of their type;
 * PostgreSQL's array text is read by `postgres-array`, the parser node-postgres itself uses.
 */
// biome-ignore format: pairs of OIDs read best packed
const arrays: Record<number, number> = {
  143: 142, 199: 114, 651: 650, 791: 790, 1000: 16, 1001: 17, 1002: 18, 1003: 19, 1005: 21,
  1007: 23, 1009: 25, 1014: 1042, 1015: 1043, 1016: 20, 1021: 700, 1022: 701, 1028: 26,
  1040: 829, 1041: 869, 1115: 1114, 1182: 1082, 1183: 1083, 1185: 1184, 1187: 1186, 1231: 1700,
  1270: 1266, 1561: 1560, 1563: 1562, 2951: 2950, 3807: 3802,
};

for (const [arrayOid, elementOid] of Object.entries(arrays)) {
  const element = builtins[elementOid];
  if (!element) throw new Error(`PostgreSQL array ${arrayOid} names an unknown element type`);
  const [name, parseElement] = element;
  builtins[Number(arrayOid)] = [`_${name}`, (text) => parseArray<JsonValue>(text, parseElement)];
}

/** The lower-case type name for a column, `unknown` for types outside the built-in list (enums, domains…). */
export function typeName(oid: number): string {
  return builtins[oid]?.[0] ?? 'unknown';
}

/** node-postgres `types` hook: text-format values only, as the driver never asks for binary results. */
export const pgTypes = {
  getTypeParser: (oid: number): Parser => builtins[oid]?.[1] ?? asText,
};
