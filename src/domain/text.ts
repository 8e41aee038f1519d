/**
 * Text helpers for Vietnamese input. Text arrives as UTF-8, sometimes decomposed (NFD) by the
 * sender's OS or editor (domain.md §3), so everything is normalised to NFC at the edge; the LCD
 * has no Vietnamese glyphs, so the display gets an ASCII fold of the same length.
 */

/** NFC-normalise (lone surrogates survive unchanged; `normalize` never throws on them). */
export function nfc(s: string): string {
  return s.normalize('NFC');
}

/** NFC-normalise and trim: the canonical form of every free-text field we store. */
export function normaliseText(s: string): string {
  return s.normalize('NFC').trim();
}

/** Trim and collapse every run of whitespace to one space (for matching, never for storing). */
export function collapseSpaces(s: string): string {
  return s.trim().replace(/\s+/gu, ' ');
}

/** Code points, not UTF-16 units: "trích yếu ≤ 500 chars" means characters a person counts. */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

// C0 and C1 controls and DEL, bidi overrides/isolates (they can make a subject read differently
// from what is stored: "Trojan source" style spoofing), the line/paragraph separators, and lone
// surrogates (not valid UTF-8 once written out; with the `u` flag a surrogate class only matches a
// lone one, since a valid pair is read as one astral code point).
const ALWAYS_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]|[\uD800-\uDFFF]/u;
const LINE_BREAKS_AND_TAB = /[\t\n\r]/u;

/**
 * True when `s` holds a control character. Tab, CR and LF count as control characters unless
 * `allowLineBreaks` (multi-line fields such as the summary `content`).
 */
export function hasControlChars(s: string, opts: { allowLineBreaks?: boolean } = {}): boolean {
  if (ALWAYS_FORBIDDEN.test(s)) return true;
  return opts.allowLineBreaks === true ? false : LINE_BREAKS_AND_TAB.test(s);
}

// Letters whose base is not recovered by dropping combining marks.
const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  Đ: 'D',
  đ: 'd',
  Ð: 'D', // U+00D0 (Icelandic eth) is often typed by mistake for Đ
};

// Typography that reaches us from word processors; each maps to exactly one ASCII character so the
// fold keeps its length (the display pads and truncates by column).
const PUNCTUATION: Readonly<Record<string, string>> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2212': '-',
  '\u2026': '.',
  '\u2022': '*',
  '\u00AB': '"',
  '\u00BB': '"',
};
const UNICODE_SPACE = /^[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]$/u;
const COMBINING = /\p{M}/u;
const PRINTABLE_ASCII = /^[\x20-\x7E]$/;

function foldChar(ch: string): string {
  if (PRINTABLE_ASCII.test(ch)) return ch;
  const special = SPECIAL_LETTERS[ch] ?? PUNCTUATION[ch];
  if (special !== undefined) return special;
  if (UNICODE_SPACE.test(ch)) return ' ';
  // ư → u + U+031B (horn), ơ → o + horn, ấ → a + circumflex + acute: all marks are combining.
  const base = ch.normalize('NFD').replace(/\p{M}/gu, '');
  return base.length === 1 && PRINTABLE_ASCII.test(base) ? base : '?';
}

/**
 * Vietnamese text → printable ASCII for the LCD: `Đ`→`D`, `đ`→`d`, `ư`→`u`, `ơ`→`o`, tone marks
 * removed, anything else non-printable (controls, other scripts, emoji, lone surrogates) → `?`.
 * The input is NFC-normalised first; every remaining code point yields exactly one ASCII character,
 * except stray combining marks (NFD leftovers that did not compose), which are dropped.
 */
export function stripDiacritics(s: string): string {
  let out = '';
  for (const ch of s.normalize('NFC')) {
    if (COMBINING.test(ch)) continue;
    out += foldChar(ch);
  }
  return out;
}

/**
 * A matching key for Vietnamese names: NFC, diacritics folded, lower case, spaces collapsed.
 * "Công văn", "CÔNG  VĂN", NFD input and "Cong van" all give "cong van"; old and new tone
 * placement ("thoả" / "thỏa") fold to the same key as well.
 */
export function foldKey(s: string): string {
  return collapseSpaces(stripDiacritics(s)).toLowerCase();
}
