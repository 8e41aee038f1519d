import { AppError } from '../errors.js';
import { foldKey } from '../domain/index.js';
import type { Store } from '../store/store.js';
import { C, type DocumentRecord, type IncomingRecord, type OutgoingRecord } from './records.js';
import type { ListQuery } from './types.js';

/**
 * Listing documents: filters, a text search over subject / DocumentId / number and notation
 * (case-, NFC- and diacritic-insensitive, so "cong van" finds "Công văn"), newest first, with an
 * opaque cursor (the sort key of the last item) so pages stay stable while documents arrive.
 */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

interface Cursor {
  createdAt: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.createdAt}|${c.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(s: string): Cursor {
  const text = Buffer.from(s, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  if (bar < 0 || !Number.isFinite(Date.parse(text.slice(0, bar)))) throw new AppError('BAD_REQUEST', 'invalid cursor');
  return { createdAt: text.slice(0, bar), id: text.slice(bar + 1) };
}

/** Newest first; id breaks ties so the order is total (the cursor relies on it). */
export function newestFirst(a: Cursor, b: Cursor): number {
  return a.createdAt > b.createdAt ? -1 : a.createdAt < b.createdAt ? 1 : a.id > b.id ? -1 : a.id < b.id ? 1 : 0;
}

function searchable(r: DocumentRecord): string {
  if (r.direction === 'outgoing') {
    const m = (r as OutgoingRecord).metadata;
    return foldKey([m.subject, r.documentId, m.number, m.notation, `${m.number}/${m.notation}`].join(' '));
  }
  const i = r as IncomingRecord;
  return foldKey([i.subject, i.documentId, i.number, i.notation, `${i.number}/${i.notation}`, i.from.name].join(' '));
}

function typeOf(r: DocumentRecord): string | null {
  return r.direction === 'outgoing' ? (r as OutgoingRecord).metadata.type : (r as IncomingRecord).type;
}

export function matches(r: DocumentRecord, q: ListQuery): boolean {
  if (q.direction && r.direction !== q.direction) return false;
  if (q.state && r.state !== q.state) return false;
  if (q.type && typeOf(r) !== q.type.toUpperCase()) return false;
  // from/to are days (YYYY-MM-DD, inclusive) or instants, compared with the creation time.
  if (q.from && r.createdAt < q.from) return false;
  if (q.to && r.createdAt.slice(0, q.to.length) > q.to) return false;
  if (q.q && q.q.trim() !== '') {
    const needle = foldKey(q.q);
    if (!searchable(r).includes(needle)) return false;
  }
  return true;
}

export function listRecords(store: Store, q: ListQuery): { items: DocumentRecord[]; nextCursor: string | null } {
  const limit = Math.min(MAX_LIMIT, Math.max(1, Math.floor(q.limit ?? DEFAULT_LIMIT)));
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  const hits: DocumentRecord[] = [];
  const collections = q.direction === 'outgoing' ? [C.outgoing] : q.direction === 'incoming' ? [C.incoming] : [C.outgoing, C.incoming];
  for (const c of collections) {
    for (const v of store.activeValues(c)) {
      const r = v as DocumentRecord;
      if (after && newestFirst(r, after) <= 0) continue;
      if (matches(r, q)) hits.push(r);
    }
  }
  hits.sort(newestFirst);
  const page = hits.slice(0, limit).map((r) => structuredClone(r));
  const last = page[page.length - 1];
  return { items: page, nextCursor: hits.length > limit && last ? encodeCursor(last) : null };
}
