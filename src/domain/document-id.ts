import { parseOrganId } from './organ-id.js';
import { formatEdxmlDate, formatIsoDate, parseEdxmlDate, parseIsoDate } from './dates.js';
import { nfc } from './text.js';

/**
 * The edXML `DocumentId`: `{senderOrganId},{yyyy/MM/dd},{number}/{notation}`, e.g.
 * `000.00.00.G22,2015/09/30,7816/VPCP-TTĐT`. It is how statuses find their document and how a
 * second submission of the same document is recognised, so it must be derived one way only.
 */
export interface DocumentIdParts {
  organId: string;
  /** `YYYY-MM-DD`. */
  promulgationDate: string;
  number: string;
  notation: string;
}

export type DocumentIdResult = { ok: true; value: DocumentIdParts } | { ok: false; problem: string };

/**
 * Derive the DocumentId of an outgoing document from validated, normalised metadata
 * (`validateMetadata` guarantees the date is `YYYY-MM-DD` and the number is zero-padded).
 * Throws on a date that is not `YYYY-MM-DD`: that is a programming error, not user input.
 */
export function deriveDocumentId(p: DocumentIdParts): string {
  const date = parseIsoDate(p.promulgationDate);
  if (date === undefined) throw new RangeError(`not a YYYY-MM-DD date: ${p.promulgationDate}`);
  return `${p.organId},${formatEdxmlDate(date)},${p.number}/${nfc(p.notation)}`;
}

// Real ids are well under 200 characters; bound hostile input.
const MAX_DOCUMENT_ID_LENGTH = 300;

/**
 * Parse an incoming DocumentId, liberally: NFC, surrounding spaces, spaces around the commas,
 * a lower-case organ id and an ISO `YYYY-MM-DD` date are tolerated. The number is kept as sent
 * (other systems do not always zero-pad); the notation is everything after the first `/` of the
 * third part, so notations that contain `/` themselves (`2026/NĐ-CP`) survive. Never throws.
 */
export function parseDocumentId(raw: unknown): DocumentIdResult {
  if (typeof raw !== 'string') return { ok: false, problem: 'must be a string' };
  if (raw.length > MAX_DOCUMENT_ID_LENGTH) return { ok: false, problem: 'is too long' };
  const s = nfc(raw).trim();
  const c1 = s.indexOf(',');
  const c2 = c1 < 0 ? -1 : s.indexOf(',', c1 + 1);
  if (c1 < 0 || c2 < 0) return { ok: false, problem: 'must be {organId},{yyyy/MM/dd},{number}/{notation}' };
  const organ = parseOrganId(s.slice(0, c1));
  if (!organ.ok) return { ok: false, problem: `organ id ${organ.problem}` };
  const dateText = s.slice(c1 + 1, c2).trim();
  const date = parseEdxmlDate(dateText) ?? parseIsoDate(dateText);
  if (date === undefined) return { ok: false, problem: 'date must be a real yyyy/MM/dd date' };
  const code = s.slice(c2 + 1).trim();
  const slash = code.indexOf('/');
  const number = slash < 0 ? '' : code.slice(0, slash).trim();
  const notation = slash < 0 ? '' : code.slice(slash + 1).trim();
  if (number === '' || notation === '') return { ok: false, problem: 'must end with {number}/{notation}' };
  return { ok: true, value: { organId: organ.id, promulgationDate: formatIsoDate(date), number, notation } };
}

/**
 * The canonical spelling of a DocumentId (parsed and re-derived), for comparing ids that arrived
 * in slightly different spellings. Returns the NFC-trimmed input when it does not parse.
 */
export function canonicalDocumentId(raw: string): string {
  const r = parseDocumentId(raw);
  if (!r.ok) return nfc(raw).trim();
  const d = r.value;
  return `${d.organId},${d.promulgationDate.replace(/-/g, '/')},${d.number}/${d.notation}`;
}
