import { isLocalDate, isLocalDateTime } from './dates.js';
import { EdxmlError } from './errors.js';
import type { EdocHeader, Organization, ResponseFor, StatusHeader } from './types.js';

/**
 * Strict checks on what we send ("be strict in what you send"): a package that leaves this box
 * has every field the receiver needs, in the wire format. All problems are reported at once.
 */
const ORGAN_ID = /^[0-9A-Z]+(\.[0-9A-Z]+)*$/;
export const MAX_SUBJECT = 500;

class Problems {
  readonly list: string[] = [];
  need(ok: boolean, what: string): void {
    if (!ok) this.list.push(what);
  }
  text(v: string | undefined, field: string, max = 2000): void {
    this.need(typeof v === 'string' && v.trim().length > 0 && v.length <= max, `${field} must be non-empty text of at most ${max} characters`);
  }
  optionalText(v: string | undefined, field: string, max = 2000): void {
    if (v !== undefined) this.need(typeof v === 'string' && v.length <= max, `${field} must be at most ${max} characters`);
  }
  int(v: number | undefined, field: string, min: number, max: number): void {
    this.need(Number.isInteger(v) && (v as number) >= min && (v as number) <= max, `${field} must be an integer ${min}..${max}`);
  }
  organ(o: Organization | undefined, field: string): void {
    if (!o) return this.need(false, `${field} is required`);
    this.need(typeof o.organId === 'string' && ORGAN_ID.test(o.organId) && o.organId.length <= 35, `${field}.organId must be an OrganId (A-Z, 0-9 and dots, at most 35)`);
  }
  responseFor(r: ResponseFor, field: string): void {
    this.need(ORGAN_ID.test(r.organId), `${field}.organId must be an OrganId`);
    this.text(r.code, `${field}.code`, 100);
    this.need(isLocalDate(r.promulgationDate), `${field}.promulgationDate must be YYYY-MM-DD`);
    this.text(r.documentId, `${field}.documentId`, 200);
  }
  throwIfAny(what: string): void {
    if (this.list.length > 0) throw new EdxmlError('INVALID_INPUT', `invalid ${what}: ${this.list.join('; ')}`);
  }
}

export function validateEdocHeader(h: EdocHeader): void {
  const p = new Problems();
  p.organ(h.from, 'from');
  p.need(Array.isArray(h.to) && h.to.length > 0, 'to needs at least one recipient');
  h.to?.forEach((o, i) => p.organ(o, `to[${i}]`));
  p.text(h.documentId, 'documentId', 200);
  p.text(h.code?.codeNumber, 'code.codeNumber', 20);
  p.optionalText(h.code?.codeNotation, 'code.codeNotation', 100);
  p.text(h.promulgation?.place, 'promulgation.place', 200);
  p.need(isLocalDate(h.promulgation?.date ?? ''), 'promulgation.date must be YYYY-MM-DD');
  p.int(h.documentType?.type, 'documentType.type', 0, 1_000_000);
  p.text(h.documentType?.typeName, 'documentType.typeName', 200);
  p.text(h.subject, 'subject', MAX_SUBJECT);
  p.optionalText(h.content, 'content', 100_000);
  p.text(h.signer?.fullName, 'signer.fullName', 200);
  if (h.dueDate !== undefined) p.need(isLocalDate(h.dueDate), 'dueDate must be YYYY-MM-DD');
  p.int(h.otherInfo?.priority, 'otherInfo.priority', 0, 4);
  if (h.steeringType !== undefined) p.int(h.steeringType, 'steeringType', 0, 3);
  h.responseFor?.forEach((r, i) => p.responseFor(r, `responseFor[${i}]`));
  h.traces?.forEach((t, i) => p.need(isLocalDateTime(t.timestamp), `traces[${i}].timestamp must be YYYY-MM-DDTHH:mm:ss`));
  if (h.business) {
    p.int(h.business.businessDocType, 'business.businessDocType', 0, 3);
    p.need(h.business.paper === 0 || h.business.paper === 1, 'business.paper must be 0 or 1');
  }
  p.throwIfAny('edoc header');
}

export function validateStatusHeader(h: StatusHeader): void {
  const p = new Problems();
  p.organ(h.from, 'from');
  if (h.responseFor) p.responseFor(h.responseFor, 'responseFor');
  else p.need(false, 'responseFor is required');
  p.need(/^\d{2}$/.test(h.statusCode ?? ''), 'statusCode must be two digits');
  p.need(isLocalDateTime(h.timestamp ?? ''), 'timestamp must be YYYY-MM-DDTHH:mm:ss');
  p.optionalText(h.description, 'description', 2000);
  p.throwIfAny('status header');
}
