import { foldKey, nfc, collapseSpaces } from './text.js';

/**
 * The document-type catalogue of domain.md §3 (NĐ 30/2020 Art. 7 plus Nghị định and Thông tư).
 * The ASCII id is what the API and the config use; the Vietnamese name is shown to people and is
 * what incoming documents are matched on (`TypeName`: the numeric `Type` differs between vendors);
 * the abbreviation is the one used in the notation ("ký hiệu", NĐ 30 Phụ lục III).
 */
export interface DocumentType {
  readonly id: DocumentTypeId;
  /** Vietnamese name, NFC. */
  readonly name: string;
  /** Type abbreviation in the notation, NFC; null for Công văn and Thư công, which have none. */
  readonly abbreviation: string | null;
  /** Named in the 2019 paperless pilot (the default of `relay.paperlessTypes`). */
  readonly pilot: boolean;
}

export const DOCUMENT_TYPE_IDS = [
  'ND', 'TT', 'NQ', 'QD', 'CT', 'QC', 'QYD', 'TC', 'TB', 'HD', 'CTR', 'KH', 'PA', 'DEA', 'DUA', 'BC',
  'BB', 'TTR', 'HDG', 'CV', 'CD', 'BGN', 'BTT', 'GUQ', 'GM', 'GGT', 'GNP', 'PG', 'PC', 'PB', 'THC',
] as const;

export type DocumentTypeId = (typeof DOCUMENT_TYPE_IDS)[number];

// [id, name, abbreviation, pilot]. Names are written precomposed here and passed through nfc()
// below anyway, so an editor that saves NFD cannot silently break exact matching.
const TABLE: ReadonlyArray<readonly [DocumentTypeId, string, string | null, boolean]> = [
  ['ND', 'Nghị định', 'NĐ', true],
  ['TT', 'Thông tư', 'TT', true],
  ['NQ', 'Nghị quyết', 'NQ', true],
  ['QD', 'Quyết định', 'QĐ', true],
  ['CT', 'Chỉ thị', 'CT', true],
  ['QC', 'Quy chế', 'QC', true],
  ['QYD', 'Quy định', 'QyĐ', true],
  ['TC', 'Thông cáo', 'TC', false],
  ['TB', 'Thông báo', 'TB', true],
  ['HD', 'Hướng dẫn', 'HD', true],
  ['CTR', 'Chương trình', 'CTr', false],
  ['KH', 'Kế hoạch', 'KH', true],
  ['PA', 'Phương án', 'PA', false],
  ['DEA', 'Đề án', 'ĐA', true],
  ['DUA', 'Dự án', 'DA', true],
  ['BC', 'Báo cáo', 'BC', true],
  ['BB', 'Biên bản', 'BB', false],
  ['TTR', 'Tờ trình', 'TTr', true],
  ['HDG', 'Hợp đồng', 'HĐ', false],
  ['CV', 'Công văn', null, true],
  ['CD', 'Công điện', 'CĐ', true],
  ['BGN', 'Bản ghi nhớ', 'BGN', false],
  ['BTT', 'Bản thỏa thuận', 'BTT', false],
  ['GUQ', 'Giấy ủy quyền', 'GUQ', false],
  ['GM', 'Giấy mời', 'GM', true],
  ['GGT', 'Giấy giới thiệu', 'GGT', false],
  ['GNP', 'Giấy nghỉ phép', 'GNP', false],
  ['PG', 'Phiếu gửi', 'PG', true],
  ['PC', 'Phiếu chuyển', 'PC', true],
  ['PB', 'Phiếu báo', 'PB', false],
  ['THC', 'Thư công', null, false],
];

export const DOCUMENT_TYPES: readonly DocumentType[] = Object.freeze(
  TABLE.map(([id, name, abbreviation, pilot]) =>
    Object.freeze({ id, name: nfc(name), abbreviation: abbreviation === null ? null : nfc(abbreviation), pilot }),
  ),
);

/** The ids of the pilot's paperless types, in catalogue order. */
export const PILOT_TYPE_IDS: readonly DocumentTypeId[] = Object.freeze(
  DOCUMENT_TYPES.filter((d) => d.pilot).map((d) => d.id),
);

const BY_ID = new Map<string, DocumentType>(DOCUMENT_TYPES.map((d) => [d.id, d]));
const BY_EXACT_NAME = new Map<string, DocumentType>(DOCUMENT_TYPES.map((d) => [exactKey(d.name), d]));
const BY_FOLDED_NAME = new Map<string, DocumentType>(DOCUMENT_TYPES.map((d) => [foldKey(d.name), d]));

// Exact match keeps the diacritics (NFC, lower case, spaces collapsed); it is tried first so that a
// future name whose folded form collides with another's would still be found when spelled right.
function exactKey(s: string): string {
  return collapseSpaces(nfc(s)).toLowerCase();
}

export function isDocumentTypeId(x: unknown): x is DocumentTypeId {
  return typeof x === 'string' && BY_ID.has(x);
}

/** Lookup by the API id (exact, as the API and config spell it). */
export function documentTypeById(id: string): DocumentType | undefined {
  return BY_ID.get(id);
}

// TypeName values are short; anything longer is not a type name and is not worth folding.
const MAX_TYPE_NAME_LENGTH = 200;

/**
 * Match an incoming `TypeName` to a catalogue entry, tolerant of case, NFD/NFC, extra spaces,
 * old/new tone placement and diacritic-less spelling ("Cong van"). Returns undefined when the
 * name is not in the catalogue (the caller keeps the raw name and shows it).
 */
export function findDocumentTypeByName(name: unknown): DocumentType | undefined {
  if (typeof name !== 'string' || name.length > MAX_TYPE_NAME_LENGTH) return undefined;
  return BY_EXACT_NAME.get(exactKey(name)) ?? BY_FOLDED_NAME.get(foldKey(name));
}
