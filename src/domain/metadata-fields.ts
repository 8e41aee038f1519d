import type { FieldProblem } from '../errors.js';
import { codePointLength, hasControlChars, normaliseText } from './text.js';
import { parseIsoDate, type CalendarDate } from './dates.js';

/**
 * Field readers for metadata validation. Each reads one value of unknown JS type, records what is
 * wrong with it in a Problems list (so the caller can report everything at once) and returns the
 * normalised value or undefined. None of them throws, whatever it is given.
 */
export class Problems {
  readonly list: FieldProblem[] = [];
  add(field: string, problem: string): void {
    this.list.push({ field, problem });
  }
}

export type Obj = Record<string, unknown>;

export function isObject(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Own property only (never the prototype chain: `{"toString":…}` tricks nothing). */
export function own(o: Obj, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

/** null counts as absent for optional fields: document-management systems often send it. */
export function isAbsent(x: unknown): boolean {
  return x === undefined || x === null;
}

export interface TextRule {
  required: boolean;
  max: number;
  /** Allow tab, CR and LF (multi-line summary). */
  multiline?: boolean;
}

/**
 * A text field: a string, NFC-normalised and trimmed, without control characters, 1..max
 * characters (code points, counted after normalisation). An optional field that is empty after
 * trimming is treated as absent.
 */
export function readText(p: Problems, value: unknown, field: string, rule: TextRule): string | undefined {
  if (isAbsent(value)) {
    if (rule.required) p.add(field, 'is required');
    return undefined;
  }
  if (typeof value !== 'string') {
    p.add(field, 'must be a string');
    return undefined;
  }
  // Decomposed Vietnamese takes at most 3 UTF-16 units per character: anything longer than this
  // is too long whatever it normalises to, and is not worth normalising.
  if (value.length > rule.max * 4 + 16) {
    p.add(field, `must be at most ${rule.max} characters`);
    return undefined;
  }
  const text = normaliseText(value);
  if (hasControlChars(text, { allowLineBreaks: rule.multiline === true })) {
    p.add(field, 'must not contain control characters');
    return undefined;
  }
  if (text.length === 0) {
    if (rule.required) p.add(field, 'must not be empty');
    return undefined;
  }
  if (codePointLength(text) > rule.max) {
    p.add(field, `must be at most ${rule.max} characters`);
    return undefined;
  }
  return text;
}

/** An integer in [min, max]; absent → undefined (the caller applies a default). */
export function readInteger(p: Problems, value: unknown, field: string, min: number, max: number): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    p.add(field, 'must be an integer');
    return undefined;
  }
  if (value < min || value > max) {
    p.add(field, `must be between ${min} and ${max}`);
    return undefined;
  }
  return value;
}

/** A `YYYY-MM-DD` string naming a real calendar date. */
export function readDate(p: Problems, value: unknown, field: string, required: boolean): CalendarDate | undefined {
  if (isAbsent(value)) {
    if (required) p.add(field, 'is required');
    return undefined;
  }
  if (typeof value !== 'string' || value.length > 40) {
    p.add(field, 'must be a YYYY-MM-DD date');
    return undefined;
  }
  const date = parseIsoDate(value.trim());
  if (date === undefined) p.add(field, 'must be a real calendar date written YYYY-MM-DD');
  return date;
}

/** Report every own key of `o` that is not in `known` (typos must not be silently ignored). */
export function rejectUnknownKeys(p: Problems, o: Obj, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) p.add(prefix + key, 'is not a known field');
  }
}
