import {
  acceptRecallRequest,
  applyRecipientStatus,
  canonicalDocumentId,
  mayDenoteSameAgency,
  parseStatusCode,
  type StatusCode,
} from '../domain/index.js';
import type { ParsedStatus } from '../edxml/index.js';
import type { Tx } from '../store/transaction.js';
import type { Store } from '../store/store.js';
import { C, addHistory, type IncomingRecord, type OutgoingRecord } from '../documents/records.js';

/**
 * Applying a received status package. Codes the receiver of a document sends (01–06, 15, 16)
 * update the matching OUTGOING document's recipient through the domain's recipient state machine,
 * which tolerates duplicates and out-of-order arrival; a 13 from a sender marks the matching
 * INCOMING document as `recallRequested` (the office answers 15/16). The document is matched by
 * `ResponseFor/DocumentId` (canonical spelling) and the reporting agency by OrganId or its alias.
 */
export type StatusEvent =
  | { name: 'outgoing.status'; payload: { id: string; documentId: string; organId: string; statusCode: string; description?: string } }
  | { name: 'incoming.status'; payload: { id: string; documentId: string; statusCode: string } };

export interface StatusOutcome {
  outcome: 'status' | 'ignored';
  recordId?: string;
  note?: string;
  events: StatusEvent[];
}

/** Vietnam wall-clock `YYYY-MM-DDTHH:mm:ss` → ISO instant. */
function wallClockToIso(t: string, fallback: string): string {
  const ms = Date.parse(`${t}+07:00`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : fallback;
}

export function findByDocumentId<T extends { documentId: string }>(store: Store, collection: string, documentId: string): T | undefined {
  const want = canonicalDocumentId(documentId);
  for (const v of store.activeValues(collection)) {
    const r = v as T;
    if (r.documentId === documentId || canonicalDocumentId(r.documentId) === want) return structuredClone(r);
  }
  return undefined;
}

export function stageStatus(tx: Tx, store: Store, parsed: ParsedStatus, axisDocId: string, at: string): StatusOutcome {
  const h = parsed.header;
  const code = parseStatusCode(h.statusCode);
  if (!code) return { outcome: 'ignored', note: `unknown status code ${h.statusCode}`, events: [] };
  const from = h.from.organId;
  const documentId = h.responseFor.documentId;
  if (code === '13') return stageRecallRequest(tx, store, documentId, from, h.description, axisDocId, at);

  const found = findByDocumentId<OutgoingRecord>(store, C.outgoing, documentId);
  if (!found) return { outcome: 'ignored', note: `no outgoing document ${documentId}`, events: [] };
  const docs = tx.collection<OutgoingRecord>(C.outgoing);
  const doc = docs.get(found.id)!;
  const i = doc.recipients.findIndex((r) => mayDenoteSameAgency(r.organId, from));
  if (i < 0) return { outcome: 'ignored', recordId: doc.id, note: `${from} is not a recipient of ${documentId}`, events: [] };
  const recipient = doc.recipients[i]!;
  const report = { code, at: wallClockToIso(h.timestamp, at), packageId: axisDocId, ...(h.description ? { description: h.description } : {}) };
  const upd = applyRecipientStatus(recipient, report);
  if (upd.duplicate) return { outcome: 'status', recordId: doc.id, note: 'duplicate', events: [] };
  doc.recipients[i] = { ...recipient, ...upd.status, statusAt: upd.changed ? at : (recipient.statusAt ?? null) };
  addHistory(doc, {
    at,
    event: historyEvent(code),
    statusCode: code,
    organId: recipient.organId,
    ...(h.description ? { description: h.description } : {}),
  });
  docs.put(doc);
  tx.audit({ event: 'status-received', actor: `axis:${from}`, subject: doc.documentId, data: { record: doc.id, code, axisDocId, superseded: upd.superseded } });
  return {
    outcome: 'status',
    recordId: doc.id,
    events: [{ name: 'outgoing.status', payload: { id: doc.id, documentId: doc.documentId, organId: recipient.organId, statusCode: code, ...(h.description ? { description: h.description } : {}) } }],
  };
}

function stageRecallRequest(tx: Tx, store: Store, documentId: string, from: string, reason: string | undefined, axisDocId: string, at: string): StatusOutcome {
  const found = findByDocumentId<IncomingRecord>(store, C.incoming, documentId);
  if (!found || !mayDenoteSameAgency(found.from.organId, from)) {
    return { outcome: 'ignored', note: `no incoming document ${documentId} from ${from}`, events: [] };
  }
  const docs = tx.collection<IncomingRecord>(C.incoming);
  const doc = docs.get(found.id)!;
  if (!acceptRecallRequest(doc.state) || doc.recallRequested) {
    return { outcome: 'status', recordId: doc.id, note: 'duplicate recall request', events: [] };
  }
  doc.recallRequested = { reason: reason ?? '', at };
  addHistory(doc, { at, event: 'recall-requested', statusCode: '13', organId: from, ...(reason ? { description: reason } : {}) });
  docs.put(doc);
  tx.audit({ event: 'recall-requested', actor: `axis:${from}`, subject: doc.documentId, data: { record: doc.id, axisDocId, reason } });
  return { outcome: 'status', recordId: doc.id, events: [{ name: 'incoming.status', payload: { id: doc.id, documentId: doc.documentId, statusCode: '13' } }] };
}

function historyEvent(code: StatusCode): string {
  if (code === '15') return 'recall-agreed';
  if (code === '16') return 'recall-refused';
  return 'status';
}
