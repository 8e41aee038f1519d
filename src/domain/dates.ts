/**
 * Calendar dates as the API (`YYYY-MM-DD`) and edXML (`yyyy/MM/dd`) write them. Pure string
 * arithmetic: no Date parsing, so there is no time zone to get wrong and no lenient roll-over
 * ("2026-02-30" is not quietly March 2nd).
 */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

// The axis began in 2019 and paper records predate it; years outside this range are typing errors.
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2999;

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function parseWith(s: string, sep: '-' | '/'): CalendarDate | undefined {
  const m = sep === '-' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(s) : /^(\d{4})\/(\d{2})\/(\d{2})$/.exec(s);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12) return undefined;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/** `YYYY-MM-DD` (the API form), a real calendar date, or undefined. */
export function parseIsoDate(s: string): CalendarDate | undefined {
  return parseWith(s, '-');
}

/** `yyyy/MM/dd` (the edXML form), a real calendar date, or undefined. */
export function parseEdxmlDate(s: string): CalendarDate | undefined {
  return parseWith(s, '/');
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function formatIsoDate(d: CalendarDate): string {
  return `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
}

export function formatEdxmlDate(d: CalendarDate): string {
  return `${pad(d.year, 4)}/${pad(d.month, 2)}/${pad(d.day, 2)}`;
}

/** Negative, zero or positive like a sort comparator. */
export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}
