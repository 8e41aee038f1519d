/**
 * Plain-text helpers for an 80-column serial terminal. Widths are counted in user-perceived
 * characters (grapheme clusters after NFC), never in bytes or UTF-16 units: "Tiên Lương" is 10
 * columns on the technician's screen although it is 14 bytes of UTF-8.
 */
export const WIDTH = 80;

const segmenter = new Intl.Segmenter('vi', { granularity: 'grapheme' });

/** Marks, joiners and variation selectors: only then do code points and graphemes differ. */
const CLUSTERING = /[\p{M}\u200d\ufe0e\ufe0f]/u;

/**
 * Splits text into grapheme clusters after NFC normalisation (decomposed input counts right).
 * Intl.Segmenter costs ~0.3 ms per line here (far more on a Pi), so it is used only when a
 * cluster can span code points; NFC Vietnamese is precomposed and takes the fast path.
 */
export function graphemes(text: string): string[] {
  const nfc = text.normalize('NFC');
  if (!CLUSTERING.test(nfc)) return Array.from(nfc);
  return Array.from(segmenter.segment(nfc), (s) => s.segment);
}

/** Columns the text takes (one per grapheme; the console has no double-width scripts). */
export function columns(text: string): number {
  return graphemes(text).length;
}

/**
 * Removes control characters (C0, DEL, C1), so data from outside — a subject line from another
 * office, a log message — cannot move the cursor, clear the screen or inject terminal escapes.
 * Tabs and newlines become spaces: each field renders on its own line.
 */
export function clean(text: string): string {
  return text.replace(/[\t\n\r]/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}

/** Cuts text to `width` columns, marking the cut with an ellipsis. */
export function fit(text: string, width = WIDTH): string {
  const g = graphemes(clean(text));
  if (g.length <= width) return g.join('');
  return g.slice(0, Math.max(0, width - 1)).join('') + '…';
}

/** Pads (or cuts) to exactly `width` columns, for table cells. */
export function cell(text: string, width: number): string {
  const cut = fit(text, width);
  return cut + ' '.repeat(Math.max(0, width - columns(cut)));
}

/**
 * Wraps text at spaces into lines of at most `width` columns; a word longer than a line is
 * broken hard. `indent` prefixes continuation lines (for "label: value" layouts).
 */
export function wrap(text: string, width = WIDTH, indent = ''): string[] {
  const words = clean(text).split(' ').filter((w) => w.length > 0);
  const lines: string[] = [];
  let current = '';
  const room = (): number => width - columns(lines.length === 0 ? '' : indent);
  for (const word of words) {
    let w = graphemes(word);
    const joined = current.length === 0 ? word : `${current} ${word}`;
    if (columns(joined) <= room()) {
      current = joined;
      continue;
    }
    if (current.length > 0) {
      lines.push(current);
      current = '';
    }
    for (let n = room(); w.length > n; n = room()) {
      lines.push(w.slice(0, n).join(''));
      w = w.slice(n);
    }
    current = w.join('');
  }
  if (current.length > 0 || lines.length === 0) lines.push(current);
  return lines.map((l, i) => (i === 0 ? l : indent + l));
}

/** "label  value" with the value wrapped under itself; every line within the width. */
export function field(label: string, value: string, labelWidth = 14, width = WIDTH): string[] {
  const pad = ' '.repeat(labelWidth);
  const [first = '', ...rest] = wrap(value, width - labelWidth);
  return [cell(label, labelWidth) + first, ...rest.map((l) => pad + l)];
}

/** Human-readable byte count (binary units, one decimal). */
export function bytes(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return 'unknown';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Duration like "3d 04:05:06" or "04:05:06", from seconds. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const hms = [Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60]
    .map((x) => String(x).padStart(2, '0'))
    .join(':');
  return d > 0 ? `${d}d ${hms}` : hms;
}

/** ISO time shortened to "YYYY-MM-DD HH:MM" (UTC, marked Z), or "never". */
export function when(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso.length === 0) return 'never';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return clean(iso);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')}Z`;
}
