import { DOCUMENT_TYPES, documentTypeById, type DocumentType, type DocumentTypeId } from './catalogue.js';
import { foldKey } from './text.js';
import { Problems, readText } from './metadata-fields.js';

/**
 * Number and notation ("Số: 12/QĐ-UBND", NĐ 30 Phụ lục III): the number, `/`, the type
 * abbreviation, `-`, the issuing body's abbreviation. Công văn and Thư công have no type
 * abbreviation (`05/UBND-VP`).
 *
 * Decisions:
 * - Number: ASCII digits only, 1..7 of them, at least 1. Numbers below 10 are zero-padded by law;
 *   we accept "5" and store "05" (and "007" as "07"), so one document has one DocumentId however
 *   the client spelled its number, and duplicate submissions are recognised.
 * - Notation: letters and digits joined by `-`, `/`, `.` or `&`, at most 60 characters; no spaces
 *   and no comma (the comma separates the parts of the DocumentId).
 * - For a type with an abbreviation the notation must start with it and a dash (`QĐ-UBND`);
 *   a year before it (`2026/NĐ-CP`, legal normative documents) and the joint-document suffix
 *   (`TTLT-BTC-BNV`) are accepted. A notation whose only fault is case or diacritics (`QD-UBND`,
 *   `Ttr-UBND`) gets a warning, not a problem: the document is right, the keyboard was not —
 *   unless it spells another type's abbreviation exactly (`HĐ` is Hợp đồng, not Hướng dẫn `HD`).
 *   Any other notation is a problem: the wrong type was picked, and receivers file by type.
 * - For Công văn / Thư công a notation that starts like another type's (`QĐ-…`) only warns:
 *   issuing-body abbreviations can coincide with type abbreviations.
 */
export const NOTATION_MAX = 60;
const NUMBER = /^[0-9]{1,7}$/;
const NOTATION = /^[\p{L}\p{N}][\p{L}\p{M}\p{N}]*([-/.&][\p{L}\p{N}][\p{L}\p{M}\p{N}]*)*$/u;

/** The number, normalised ("5" → "05"), or undefined with a problem recorded. */
export function readNumber(p: Problems, value: unknown, field: string): string | undefined {
  const text = readText(p, value, field, { required: true, max: 20 });
  if (text === undefined) return undefined;
  if (!NUMBER.test(text)) {
    p.add(field, 'must be 1 to 7 digits (e.g. "12")');
    return undefined;
  }
  const digits = text.replace(/^0+/, '');
  if (digits === '') {
    p.add(field, 'must be at least 1');
    return undefined;
  }
  return normaliseNumber(digits);
}

/** Zero-pad a number below 10 to two digits, drop other leading zeros ("007" → "07"). */
export function normaliseNumber(digits: string): string {
  return digits.replace(/^0+(?=\d)/, '').padStart(2, '0');
}

/** The notation text, NFC and trimmed, checked for shape only. */
export function readNotationText(p: Problems, value: unknown, field: string): string | undefined {
  const text = readText(p, value, field, { required: true, max: NOTATION_MAX });
  if (text === undefined) return undefined;
  if (!NOTATION.test(text)) {
    p.add(field, 'must be letters and digits joined by -, /, . or & (no spaces), e.g. "QĐ-UBND"');
    return undefined;
  }
  return text;
}

/** The type whose abbreviation (or joint-document form `…LT`) is exactly `head`. */
function typeAbbreviatedAs(head: string): DocumentType | undefined {
  return DOCUMENT_TYPES.find((d) => d.abbreviation !== null && (head === d.abbreviation || head === `${d.abbreviation}LT`));
}

/** Check the notation against the type's abbreviation (problems and warnings as documented). */
export function checkNotation(p: Problems, w: Problems, type: DocumentTypeId, notation: string, field: string): void {
  const docType = documentTypeById(type);
  if (docType === undefined) return;
  const rest = notation.replace(/^[0-9]{4}\//, '');
  const head = rest.split('-')[0] ?? '';
  const abbr = docType.abbreviation;
  const other = typeAbbreviatedAs(head);
  if (abbr === null) {
    if (other !== undefined && rest.includes('-')) {
      w.add(field, `starts with "${other.abbreviation ?? ''}-", the abbreviation of ${other.name}, but the type ${docType.name} has none`);
    }
    return;
  }
  if (rest.startsWith(`${abbr}-`) || rest.startsWith(`${abbr}LT-`)) return;
  // HD/HĐ and DA/ĐA are different types that differ only by a diacritic: a notation spelled
  // exactly like another type's abbreviation names that type, so it is a problem, not a slip.
  const folded = foldKey(head);
  if (other === undefined && rest.includes('-') && (folded === foldKey(abbr) || folded === foldKey(`${abbr}LT`))) {
    w.add(field, `should start with "${abbr}-" (case and diacritics as in NĐ 30)`);
    return;
  }
  const hint = other === undefined ? '' : ` ("${other.abbreviation ?? ''}" is ${other.name})`;
  p.add(field, `must start with "${abbr}-", the abbreviation of ${docType.name}${hint}`);
}
