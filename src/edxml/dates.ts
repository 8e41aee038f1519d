import type { LocalDate, LocalDateTime } from './types.js';

/**
 * Wire dates of edXML. We send `yyyy/MM/dd` and `yyyy/MM/dd HH:mm:ss`; we accept what other
 * vendors were seen sending: `yyyy-MM-dd`, `dd/MM/yyyy`, an ISO `T` separator, fractions and a zone
 * suffix (dropped: the wire is Vietnam wall-clock time).
 */

/** Vietnam (ICT) is UTC+7 with no daylight saving; wire timestamps carry no zone. */
export const VIETNAM_OFFSET_MINUTES = 7 * 60;

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

function validTime(h: number, mi: number, s: number): boolean {
  return h <= 23 && mi <= 59 && s <= 59;
}

export function isLocalDate(s: string): boolean {
  const m = LOCAL_DATE.exec(s);
  return m !== null && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function isLocalDateTime(s: string): boolean {
  const m = LOCAL_DATE_TIME.exec(s);
  return m !== null && validDate(Number(m[1]), Number(m[2]), Number(m[3])) && validTime(Number(m[4]), Number(m[5]), Number(m[6]));
}

/** `YYYY-MM-DD` → `YYYY/MM/DD`. The caller has validated the input. */
export function toWireDate(d: LocalDate): string {
  return d.replaceAll('-', '/');
}

/** `YYYY-MM-DDTHH:mm:ss` → `YYYY/MM/DD HH:mm:ss`. */
export function toWireDateTime(t: LocalDateTime): string {
  return t.replace('T', ' ').replaceAll('-', '/');
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** An instant as Vietnam wall-clock time, e.g. for a fresh TraceHeader. */
export function localDateTimeOf(instant: Date, offsetMinutes = VIETNAM_OFFSET_MINUTES): LocalDateTime {
  const t = new Date(instant.getTime() + offsetMinutes * 60_000);
  return (
    `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}` +
    `T${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`
  );
}

// date part: yyyy/MM/dd | yyyy-MM-dd | dd/MM/yyyy | dd-MM-yyyy ; then optional time part.
const WIRE = /^\s*(?:(\d{4})[/-](\d{1,2})[/-](\d{1,2})|(\d{1,2})[/-](\d{1,2})[/-](\d{4}))(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?\s*$/;

interface WireParts {
  date: LocalDate;
  time: string | null;
}

function splitWire(s: string): WireParts | null {
  const m = WIRE.exec(s);
  if (!m) return null;
  const y = Number(m[1] ?? m[6]);
  const mo = Number(m[2] ?? m[5]);
  const d = Number(m[3] ?? m[4]);
  if (!validDate(y, mo, d)) return null;
  const date = `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
  if (m[7] === undefined) return { date, time: null };
  const h = Number(m[7]);
  const mi = Number(m[8]);
  const sec = Number(m[9] ?? '0');
  if (!validTime(h, mi, sec)) return null;
  return { date, time: `${pad(h)}:${pad(mi)}:${pad(sec)}` };
}

/** A wire date (any accepted form; a time part is ignored) → `YYYY-MM-DD`, or null. */
export function parseWireDate(s: string): LocalDate | null {
  return splitWire(s)?.date ?? null;
}

/** A wire timestamp (any accepted form; a bare date means midnight) → `YYYY-MM-DDTHH:mm:ss`, or null. */
export function parseWireDateTime(s: string): LocalDateTime | null {
  const p = splitWire(s);
  if (!p) return null;
  return `${p.date}T${p.time ?? '00:00:00'}`;
}
