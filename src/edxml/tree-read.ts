import { parseWireDate, parseWireDateTime } from './dates.js';
import { EdxmlError } from './errors.js';
import { EDXML_NS } from './namespace.js';
import type { XNode } from './stream-tree.js';
import type { LocalDate, LocalDateTime, Organization, ResponseFor, StaffInfo, TraceHeader } from './types.js';

/**
 * Liberal readers over the header tree: elements are matched on the edXML namespace and local
 * name (several spellings where vendors differ), text is NFC-normalised (it sometimes arrives
 * decomposed), and an empty element counts as absent.
 */
export function child(n: XNode | undefined, ...names: string[]): XNode | undefined {
  return n?.children.find((c) => c.uri === EDXML_NS && names.includes(c.local));
}

export function children(n: XNode | undefined, ...names: string[]): XNode[] {
  return n ? n.children.filter((c) => c.uri === EDXML_NS && names.includes(c.local)) : [];
}

/** Breadth-first search below `n` (bounded by the tree's own limits). */
export function find(n: XNode | undefined, ...names: string[]): XNode | undefined {
  if (!n) return undefined;
  const queue = [...n.children];
  for (let i = 0; i < queue.length; i++) {
    const c = queue[i] as XNode;
    if (c.uri === EDXML_NS && names.includes(c.local)) return c;
    queue.push(...c.children);
  }
  return undefined;
}

/** Free text: NFC, untrimmed (it is content), undefined when empty. */
export function text(n: XNode | undefined, ...names: string[]): string | undefined {
  const c = child(n, ...names);
  if (!c) return undefined;
  const v = c.text.normalize('NFC');
  return v.trim().length === 0 ? undefined : v;
}

/** An identifier or number: trimmed. */
export function token(n: XNode | undefined, ...names: string[]): string | undefined {
  const v = child(n, ...names)?.text.trim();
  return v === undefined || v.length === 0 ? undefined : v.normalize('NFC');
}

export function int(n: XNode | undefined, ...names: string[]): number | undefined {
  const v = token(n, ...names);
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return undefined;
  return Number.parseInt(v, 10);
}

export function bool(n: XNode | undefined, ...names: string[]): boolean | undefined {
  const v = token(n, ...names)?.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return undefined;
}

export function date(n: XNode | undefined, name: string): LocalDate | undefined {
  const v = token(n, name);
  return v === undefined ? undefined : (parseWireDate(v) ?? undefined);
}

export function dateTime(n: XNode | undefined, name: string): LocalDateTime | undefined {
  const v = token(n, name);
  return v === undefined ? undefined : (parseWireDateTime(v) ?? undefined);
}

export function required<T>(v: T | undefined, field: string): T {
  if (v === undefined) throw new EdxmlError('MISSING_FIELD', `missing ${field}`, field);
  return v;
}

/** Copies only the defined values, so parsed objects compare equal to built ones. */
export function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export function organization(n: XNode | undefined, field: string): Organization {
  return defined({
    organId: required(token(n, 'OrganId'), `${field}/OrganId`),
    organizationInCharge: text(n, 'OrganizationInCharge'),
    organName: text(n, 'OrganName'),
    organAdd: text(n, 'OrganAdd'),
    email: token(n, 'Email'),
    telephone: token(n, 'Telephone'),
    fax: token(n, 'Fax'),
    website: token(n, 'Website'),
  });
}

export function staffInfo(n: XNode | undefined): StaffInfo | undefined {
  if (!n) return undefined;
  return defined({ department: text(n, 'Department'), staff: text(n, 'Staff'), email: token(n, 'Email'), mobile: token(n, 'Mobile') });
}

/** `{sender},{yyyy/MM/dd},{number}/{notation}` split into its parts, when it has that shape. */
export function splitDocumentId(id: string): { organId: string; date: LocalDate | null; code: string } | null {
  const m = /^([^,]+),([^,]+),(.+)$/.exec(id);
  if (!m) return null;
  return { organId: (m[1] as string).trim(), date: parseWireDate(m[2] as string), code: (m[3] as string).trim() };
}

export function responseFor(n: XNode, field: string): ResponseFor {
  const documentId = required(token(n, 'DocumentId'), `${field}/DocumentId`);
  const parts = splitDocumentId(documentId);
  const codeNode = child(n, 'Code');
  // Some senders structure Code like the MessageHeader's (CodeNumber/CodeNotation).
  const structured = codeNode && codeNode.children.length > 0 ? [token(codeNode, 'CodeNumber'), token(codeNode, 'CodeNotation')].filter(Boolean).join('/') : undefined;
  const code = structured || token(n, 'Code') || parts?.code;
  const rawDate = token(n, 'PromulgationDate');
  const promulgationDate = rawDate !== undefined ? parseWireDate(rawDate) : (parts?.date ?? null);
  if (rawDate !== undefined && promulgationDate === null) throw new EdxmlError('INVALID_FIELD', `${field}/PromulgationDate is not a date`, `${field}/PromulgationDate`);
  return {
    organId: required(token(n, 'OrganId') ?? parts?.organId, `${field}/OrganId`),
    code: required(code, `${field}/Code`),
    promulgationDate: required(promulgationDate ?? undefined, `${field}/PromulgationDate`),
    documentId,
  };
}

export function traces(list: XNode | undefined): TraceHeader[] {
  const out: TraceHeader[] = [];
  for (const t of children(list, 'TraceHeader')) {
    const timestamp = dateTime(t, 'Timestamp');
    // A hop without a readable time tells us nothing we can use; drop it rather than refuse.
    if (timestamp === undefined) continue;
    out.push(defined({ organId: token(t, 'OrganId'), timestamp }));
  }
  return out;
}
