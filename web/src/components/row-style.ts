/**
 * A report may return a `row_style` column, e.g. `color: red; font-weight: bold`. Only a few
 * harmless properties with plain values are applied: no url(), no expressions, no layout tricks.
 */
import type { CSSProperties } from 'react';

const ALLOWED: Record<string, keyof CSSProperties> = {
  color: 'color',
  'background-color': 'backgroundColor',
  'font-weight': 'fontWeight',
  'font-style': 'fontStyle',
  'text-decoration': 'textDecoration',
};

const SAFE_VALUE = /^[#a-zA-Z0-9 ,.%()-]{1,60}$/;

export function rowStyle(raw: unknown): CSSProperties | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const style: Record<string, string> = {};
  for (const declaration of raw.split(';')) {
    const colon = declaration.indexOf(':');
    if (colon < 0) continue;
    const property = ALLOWED[declaration.slice(0, colon).trim().toLowerCase()];
    const value = declaration.slice(colon + 1).trim();
    if (property && SAFE_VALUE.test(value) && !/url|expression|var/i.test(value)) style[property] = value;
  }
  return Object.keys(style).length ? (style as CSSProperties) : undefined;
}
