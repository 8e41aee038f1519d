/** PDF date strings (ISO 32000-1 §7.9.4): `D:YYYYMMDDHHmmSSOHH'mm'`. */

/** Format in UTC, as written into a signature's /M. */
export function pdfDate(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    `D:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}+00'00'`
  );
}

/**
 * Parse a PDF date; every part after the year is optional and the offset may be Z, +HH'mm' or
 * missing (then taken as UTC, since the writer's local time is unknowable). Null when invalid.
 */
export function parsePdfDate(s: string): Date | null {
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(?:(\d{2})'?(\d{2})?'?)?)?/.exec(s.trim());
  if (!m) return null;
  const n = (v: string | undefined, def: number): number => (v === undefined ? def : Number(v));
  const utc = Date.UTC(n(m[1], 0), n(m[2], 1) - 1, n(m[3], 1), n(m[4], 0), n(m[5], 0), n(m[6], 0));
  const sign = m[7] === '-' ? -1 : m[7] === '+' ? 1 : 0;
  const offsetMin = sign * (n(m[8], 0) * 60 + n(m[9], 0));
  const d = new Date(utc - offsetMin * 60_000);
  return Number.isNaN(d.getTime()) ? null : d;
}
