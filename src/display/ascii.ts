import { stripDiacritics } from '../domain/text.js';

/** Text for the LCD: its character ROM has printable ASCII only, so Vietnamese is folded by the
 * domain's `stripDiacritics` (Đ→D, ư→u, tone marks dropped, anything else → '?'). */
export { stripDiacritics };

/** Printable ASCII only: diacritics folded, anything else (emoji, control bytes) becomes '?'. */
export function toLcdAscii(text: string): string {
  // Line breaks and tabs in a subject are layout, not content: one space, not '?'.
  return stripDiacritics(text.replace(/[\r\n\t]+/g, ' ')).replace(/[^\x20-\x7e]/g, '?');
}

/** Exactly `width` printable ASCII characters: folded, truncated, padded with spaces. */
export function fitRow(text: string, width: number): string {
  return toLcdAscii(text).slice(0, width).padEnd(width, ' ');
}

/** "left ... right" on one row: right is kept whole, left is truncated to make room. */
export function spread(left: string, right: string, width: number): string {
  const r = toLcdAscii(right).slice(0, width);
  const l = toLcdAscii(left).slice(0, Math.max(0, width - r.length - 1));
  return (l + ' '.repeat(Math.max(1, width - l.length - r.length)) + r).slice(0, width).padEnd(width, ' ');
}
