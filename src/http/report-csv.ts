import type { ReportSummary } from '../documents/types.js';

/**
 * The summary report as CSV (RFC 4180, UTF-8 with BOM so spreadsheet programs show Vietnamese
 * correctly): one row per (section, key) — `section,key,direction,count` — so one file holds every
 * table of the report, and a row per overdue receipt.
 */
export function reportCsv(r: ReportSummary): string {
  const rows: (string | number)[][] = [['section', 'key', 'direction', 'count']];
  for (const [k, v] of Object.entries(r.byDirection)) rows.push(['direction', k, k, v]);
  for (const [k, v] of Object.entries(r.byType)) rows.push(['type', k, '', v]);
  for (const [k, v] of Object.entries(r.byState)) {
    const [dir, state] = k.includes(':') ? k.split(':', 2) : ['', k];
    rows.push(['state', state ?? k, dir ?? '', v]);
  }
  for (const day of r.byDay) {
    for (const dir of ['outgoing', 'incoming'] as const) {
      for (const [state, n] of Object.entries(day[dir])) rows.push(['day', `${day.day} ${state}`, dir, n]);
    }
  }
  for (const o of r.overdue) rows.push(['overdue', `${o.documentId} → ${o.organId}`, 'outgoing', 1]);
  return '\uFEFF' + rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

function cell(v: string | number): string {
  const s = String(v);
  // A leading = + - @ would be run as a formula by spreadsheet programs (CSV injection).
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
