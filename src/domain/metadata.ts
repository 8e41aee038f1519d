import type { ErrorCode, FieldProblem } from '../errors.js';
import { documentTypeById, type DocumentTypeId } from './catalogue.js';
import { compareDates, formatIsoDate } from './dates.js';
import { DEFAULT_PRIORITY, type Priority } from './priority.js';
import { readSecrecy, type SecretLevel } from './secrecy.js';
import { readCompetence, type Competence } from './competence.js';
import { checkNotation, readNumber, readNotationText } from './notation.js';
import { readRecipients, readResponseFor } from './metadata-organs.js';
import { Problems, isAbsent, isObject, own, readDate, readInteger, readText, rejectUnknownKeys, type Obj } from './metadata-fields.js';

/**
 * Validation of the submission metadata of spec/http-api.md ("Submission metadata"). It reads a
 * value of any JS type, never throws, reports every problem at once as `[{field, problem}]`
 * (`signer.fullName`, `recipients[2]`) and, on success, returns the metadata normalised: text
 * NFC and trimmed, OrganIds upper-case, the number zero-padded, defaults applied.
 *
 * Decisions:
 * - `secrecy` is checked first and wins over every other problem: anything but `none` gives a
 *   distinct SECRET_DOCUMENT result, so the caller refuses before it stores or even looks at the
 *   file. A missing `secrecy` is an ordinary "is required" problem (nothing is stored either way).
 * - Optional fields may be null (treated as absent); optional text that is empty after trimming is
 *   absent too. Unknown fields are problems: a misspelt `reciepients` must not pass silently.
 * - Numbers: see notation.ts (digits, "5" is accepted and stored as "05"). Notation vs type
 *   abbreviation: a problem when absent, a warning when only case or diacritics differ.
 * - When every problem is an invalid recipient id the result's code is UNKNOWN_RECIPIENT
 *   (the spec's dedicated answer); with any other problem it is VALIDATION_FAILED with all of them.
 */
export interface DocumentMetadata {
  type: DocumentTypeId;
  /** Digits, zero-padded to at least two ("05"). */
  number: string;
  notation: string;
  /** `YYYY-MM-DD`. */
  promulgationDate: string;
  place?: string;
  subject: string;
  recipients: string[];
  priority: Priority;
  secrecy: 'none';
  signer: { competence?: Competence; position?: string; fullName: string };
  dueDate?: string;
  steeringType?: SteeringType;
  toPlaces?: string[];
  content?: string;
  pageAmount?: number;
  promulgationAmount?: number;
  responseFor?: { organId: string; documentId: string };
}

/** edXML SteeringType: 1 not a directive, 2 a directive, 3 a report on a directive. */
export type SteeringType = 1 | 2 | 3;

export type MetadataResult =
  | { ok: true; metadata: DocumentMetadata; warnings: FieldProblem[] }
  | { ok: false; code: 'SECRET_DOCUMENT'; secrecy: SecretLevel | 'unrecognised'; problems: FieldProblem[] }
  | { ok: false; code: Extract<ErrorCode, 'VALIDATION_FAILED' | 'UNKNOWN_RECIPIENT'>; problems: FieldProblem[]; warnings: FieldProblem[] };

/** Limits beyond the spec's (subject 1–500) are our own choices, kept in one place. */
export const METADATA_LIMITS = {
  subject: 500,
  place: 200,
  content: 4000,
  fullName: 150,
  position: 200,
  toPlace: 300,
  toPlaces: 100,
  recipients: 1000,
  amount: 100_000,
} as const;

const KNOWN = [
  'type', 'number', 'notation', 'promulgationDate', 'place', 'subject', 'recipients', 'priority', 'secrecy',
  'signer', 'dueDate', 'steeringType', 'toPlaces', 'content', 'pageAmount', 'promulgationAmount', 'responseFor',
] as const;
const SIGNER_KNOWN = ['competence', 'position', 'fullName'] as const;

/** Validate and normalise submission metadata. Never throws. */
export function validateMetadata(input: unknown): MetadataResult {
  try {
    return validate(input);
  } catch {
    // Only exotic objects (a Proxy whose traps throw) get here; JSON never does.
    return { ok: false, code: 'VALIDATION_FAILED', problems: [{ field: 'metadata', problem: 'cannot be read' }], warnings: [] };
  }
}

function validate(input: unknown): MetadataResult {
  if (!isObject(input)) {
    return { ok: false, code: 'VALIDATION_FAILED', problems: [{ field: 'metadata', problem: 'must be a JSON object' }], warnings: [] };
  }
  const p = new Problems();
  const secrecyValue = own(input, 'secrecy');
  if (isAbsent(secrecyValue)) p.add('secrecy', 'is required');
  else {
    const level = readSecrecy(secrecyValue);
    if (level !== 'none') {
      const problem = 'secret documents must not be sent over the exchange';
      return { ok: false, code: 'SECRET_DOCUMENT', secrecy: level, problems: [{ field: 'secrecy', problem }] };
    }
  }
  const warnings = new Problems();
  const m = readAll(p, warnings, input);
  rejectUnknownKeys(p, input, KNOWN, '');
  if (p.list.length > 0 || m.metadata === undefined) {
    const onlyRecipientIds = p.list.length > 0 && p.list.every((x) => m.invalidRecipientFields.has(x.field));
    return { ok: false, code: onlyRecipientIds ? 'UNKNOWN_RECIPIENT' : 'VALIDATION_FAILED', problems: p.list, warnings: warnings.list };
  }
  return { ok: true, metadata: m.metadata, warnings: warnings.list };
}

interface ReadResult {
  /** Undefined when anything is wrong (the problems say what). */
  metadata: DocumentMetadata | undefined;
  /** Fields `recipients[i]` whose problem is an invalid OrganId (for UNKNOWN_RECIPIENT). */
  invalidRecipientFields: ReadonlySet<string>;
}

function readAll(p: Problems, w: Problems, o: Obj): ReadResult {
  const type = readType(p, own(o, 'type'));
  const number = readNumber(p, own(o, 'number'), 'number');
  const notation = readNotationText(p, own(o, 'notation'), 'notation');
  if (type !== undefined && notation !== undefined) checkNotation(p, w, type, notation, 'notation');
  const promulgation = readDate(p, own(o, 'promulgationDate'), 'promulgationDate', true);
  const place = readText(p, own(o, 'place'), 'place', { required: false, max: METADATA_LIMITS.place });
  const subject = readText(p, own(o, 'subject'), 'subject', { required: true, max: METADATA_LIMITS.subject });
  const recipients = readRecipients(p, own(o, 'recipients'), 'recipients', METADATA_LIMITS.recipients);
  const priority = readInteger(p, own(o, 'priority'), 'priority', 0, 4) as Priority | undefined;
  const signer = readSigner(p, own(o, 'signer'));
  const due = readDate(p, own(o, 'dueDate'), 'dueDate', false);
  if (due !== undefined && promulgation !== undefined && compareDates(due, promulgation) < 0) {
    p.add('dueDate', 'must not be before promulgationDate');
  }
  const steeringType = readInteger(p, own(o, 'steeringType'), 'steeringType', 1, 3) as SteeringType | undefined;
  const toPlaces = readToPlaces(p, own(o, 'toPlaces'));
  const content = readText(p, own(o, 'content'), 'content', { required: false, max: METADATA_LIMITS.content, multiline: true });
  const pageAmount = readInteger(p, own(o, 'pageAmount'), 'pageAmount', 0, METADATA_LIMITS.amount);
  const promulgationAmount = readInteger(p, own(o, 'promulgationAmount'), 'promulgationAmount', 0, METADATA_LIMITS.amount);
  const responseFor = readResponseFor(p, own(o, 'responseFor'), 'responseFor');

  if (
    type === undefined || number === undefined || notation === undefined || promulgation === undefined ||
    subject === undefined || recipients.ids === undefined || signer === undefined || p.list.length > 0
  ) {
    return { metadata: undefined, invalidRecipientFields: recipients.invalidFields };
  }
  // Built in the order of the spec's example, so stored records read naturally.
  const metadata: DocumentMetadata = {
    type, number, notation, promulgationDate: formatIsoDate(promulgation),
    ...(place !== undefined && { place }),
    subject, recipients: recipients.ids, priority: priority ?? DEFAULT_PRIORITY, secrecy: 'none', signer,
    ...(due !== undefined && { dueDate: formatIsoDate(due) }),
    ...(steeringType !== undefined && { steeringType }),
    ...(toPlaces !== undefined && { toPlaces }),
    ...(content !== undefined && { content }),
    ...(pageAmount !== undefined && { pageAmount }),
    ...(promulgationAmount !== undefined && { promulgationAmount }),
    ...(responseFor !== undefined && { responseFor }),
  };
  return { metadata, invalidRecipientFields: recipients.invalidFields };
}

function readType(p: Problems, value: unknown): DocumentTypeId | undefined {
  if (isAbsent(value)) {
    p.add('type', 'is required');
    return undefined;
  }
  // Ids are ASCII; accept surrounding spaces and lower case ("qd"), nothing fuzzier.
  const id = typeof value === 'string' && value.length <= 10 ? value.trim().replace(/[a-z]/g, (c) => c.toUpperCase()) : undefined;
  const t = id === undefined ? undefined : documentTypeById(id);
  if (t === undefined) p.add('type', 'must be a document type id of the catalogue (QD, CV, TB, …)');
  return t?.id;
}

function readSigner(p: Problems, value: unknown): DocumentMetadata['signer'] | undefined {
  if (isAbsent(value)) {
    p.add('signer.fullName', 'is required');
    return undefined;
  }
  if (!isObject(value)) {
    p.add('signer', 'must be an object');
    return undefined;
  }
  const fullName = readText(p, own(value, 'fullName'), 'signer.fullName', { required: true, max: METADATA_LIMITS.fullName });
  const position = readText(p, own(value, 'position'), 'signer.position', { required: false, max: METADATA_LIMITS.position });
  const competenceText = readText(p, own(value, 'competence'), 'signer.competence', { required: false, max: 10 });
  const competence = competenceText === undefined ? undefined : readCompetence(competenceText);
  if (competenceText !== undefined && competence === undefined) p.add('signer.competence', 'must be one of TM., KT., TL., TUQ., Q.');
  rejectUnknownKeys(p, value, SIGNER_KNOWN, 'signer.');
  if (fullName === undefined) return undefined;
  return { ...(competence !== undefined && { competence }), ...(position !== undefined && { position }), fullName };
}

function readToPlaces(p: Problems, value: unknown): string[] | undefined {
  if (isAbsent(value)) return undefined;
  if (!Array.isArray(value)) {
    p.add('toPlaces', 'must be an array of strings');
    return undefined;
  }
  if (value.length > METADATA_LIMITS.toPlaces) {
    p.add('toPlaces', `must have at most ${METADATA_LIMITS.toPlaces} entries`);
    return undefined;
  }
  const out: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    const field = `toPlaces[${i}]`;
    const text = readText(p, v, field, { required: true, max: METADATA_LIMITS.toPlace });
    if (text !== undefined) out.push(text);
  }
  return out;
}
