/**
 * MySQL / MariaDB value mapping (SPEC §4.7), by the column definition mysql2 reports. mysql2 is
 * configured (config.ts) to hand over big integers and decimals as text and dates as text, so
 * no digit is lost before the conversion here.
 */
import type { Column, JsonValue } from '../driver.ts';
import {
  binaryToJson,
  decimalFromText,
  float32ToJson,
  floatToJson,
  integerFromBigInt,
  integerFromText,
  jsonFromText,
  timestampFromText,
  timestampTzFromText,
} from '../value-mapping.ts';

/** The slice of mysql2's column definition this driver reads. */
export interface MysqlField {
  name: string;
  columnType: number;
  columnLength: number;
  characterSet: number;
  flags: number;
  /** MariaDB extended metadata (mysql2 negotiates it): `json` for JSON columns, which MariaDB sends as LONGTEXT. */
  extendedFormat?: string;
  /** MariaDB extended metadata: `uuid`, `inet4`, `inet6`, … */
  extendedTypeName?: string;
}

type Mapper = (value: unknown) => JsonValue;

const BINARY_CHARSET = 63;
const FLAG_ENUM = 256;
const FLAG_SET = 2048;

const asIs: Mapper = (v) => (Buffer.isBuffer(v) ? binaryToJson(v) : (v as JsonValue));
const asNumber: Mapper = (v) => Number(v);
const asText: Mapper = (v) => (Buffer.isBuffer(v) ? binaryToJson(v) : String(v));
const asJson: Mapper = (v) => (typeof v === 'string' ? jsonFromText(v) : (v as JsonValue));
const asTimestamp: Mapper = (v) => timestampFromText(String(v));
/** TIMESTAMP is an instant; the session renders it in UTC (driver.ts), so it carries `+00:00`. */
const asInstant: Mapper = (v) => timestampTzFromText(`${String(v)}+00:00`, true);

/** BIT(1) is the other common boolean; wider BIT columns read as unsigned integers. */
const asBit = (length: number): Mapper =>
  length === 1
    ? (v) => (Buffer.isBuffer(v) ? v.some((byte) => byte !== 0) : Boolean(v))
    : (v) => (Buffer.isBuffer(v) ? integerFromBigInt(BigInt(`0x${v.toString('hex') || '0'}`)) : asIs(v));

/** columnType → [name, mapper]; string and blob types are resolved by character set below. */
const byType: Record<number, [string, Mapper]> = {
  0: ['decimal', (v) => decimalFromText(String(v))],
  2: ['smallint', asNumber],
  3: ['int', asNumber],
  4: ['float', (v) => float32ToJson(Number(v))],
  5: ['double', (v) => floatToJson(Number(v))],
  6: ['null', () => null],
  7: ['timestamp', asInstant],
  8: ['bigint', (v) => integerFromText(String(v))],
  9: ['mediumint', asNumber],
  10: ['date', asText],
  11: ['time', asText],
  12: ['datetime', asTimestamp],
  13: ['year', asNumber],
  14: ['date', asText],
  242: ['vector', asIs],
  245: ['json', asJson],
  246: ['decimal', (v) => decimalFromText(String(v))],
  255: ['geometry', asIs],
};

const TEXT_NAMES: Record<number, [text: string, binary: string]> = {
  15: ['varchar', 'varbinary'],
  249: ['tinytext', 'tinyblob'],
  250: ['mediumtext', 'mediumblob'],
  251: ['longtext', 'longblob'],
  252: ['text', 'blob'],
  253: ['varchar', 'varbinary'],
  254: ['char', 'binary'],
};

/** The column as reported to callers, and how its values are converted. */
export function columnOf(field: MysqlField): { column: Column; map: Mapper } {
  const [type, map] = resolve(field);
  return { column: { name: field.name, type }, map: (v) => (v === null || v === undefined ? null : map(v)) };
}

function resolve(field: MysqlField): [string, Mapper] {
  if (field.extendedFormat === 'json') return ['json', asJson];
  if (field.columnType === 1) {
    // BOOLEAN is TINYINT(1); that display width is how MySQL marks a boolean.
    return field.columnLength === 1 ? ['boolean', (v) => Number(v) !== 0] : ['tinyint', asNumber];
  }
  if (field.columnType === 16) return ['bit', asBit(field.columnLength)];
  const known = byType[field.columnType];
  if (known) return known;
  const binary = field.characterSet === BINARY_CHARSET;
  if (field.flags & FLAG_ENUM) return ['enum', asText];
  if (field.flags & FLAG_SET) return ['set', asText];
  const names = TEXT_NAMES[field.columnType] ?? ['text', 'blob'];
  return [field.extendedTypeName ?? (binary ? names[1] : names[0]), binary ? asIs : asText];
}
