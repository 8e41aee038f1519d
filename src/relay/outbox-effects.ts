import { nextOutgoingState, statusCodeInfo, isStatusCode } from '../domain/index.js';
import type { Tx } from '../store/transaction.js';
import { C, addHistory, type IncomingRecord, type OutboxEntry, type OutgoingRecord } from '../documents/records.js';

/**
 * What a finished send does to the document records, staged inside the outbox's transaction so
 * the record, the removal of the outbox entry and the audit entry are one durable write.
 * Returns the events to publish once the write is durable.
 */
export type OutboxEvent =
  | { name: 'outgoing.sent'; payload: { id: string; documentId: string } }
  | { name: 'outgoing.failed'; payload: { id: string; documentId: string; reason: string } };

export function stageSent(tx: Tx, entry: OutboxEntry, axisDocId: string, at: string): OutboxEvent[] {
  tx.collection<OutboxEntry>(C.outbox).delete(entry.id);
  const events: OutboxEvent[] = [];
  if (entry.recordCollection === 'outgoing') {
    const docs = tx.collection<OutgoingRecord>(C.outgoing);
    const doc = docs.get(entry.recordId);
    if (doc) {
      if (entry.messageType === 'edoc') {
        const t = nextOutgoingState(doc.state, 'axis-accepted');
        if (t.ok) doc.state = t.state;
        doc.relay = { ...doc.relay, attempts: entry.attempts + 1, nextAttemptAt: null, lastError: null, sentAt: at, axisDocId };
        addHistory(doc, { at, event: 'sent', description: `axis DocId ${axisDocId}` });
        events.push({ name: 'outgoing.sent', payload: { id: doc.id, documentId: doc.documentId } });
      } else {
        addHistory(doc, statusHistory(entry, at, 'status-sent'));
      }
      docs.put(doc);
    }
  } else {
    const docs = tx.collection<IncomingRecord>(C.incoming);
    const doc = docs.get(entry.recordId);
    if (doc) docs.put(addHistory(doc, statusHistory(entry, at, 'status-sent')));
  }
  tx.audit({
    event: entry.messageType === 'edoc' ? 'sent' : 'status-sent',
    actor: 'system:outbox',
    subject: entry.documentId,
    data: { record: entry.recordId, packageId: entry.packageId, axisDocId, to: entry.to, statusCode: entry.statusCode },
  });
  return events;
}

/** The axis refused the package for good (not a network problem, not our credentials). */
export function stageRefused(tx: Tx, entry: OutboxEntry, reason: string, at: string): OutboxEvent[] {
  tx.collection<OutboxEntry>(C.outbox).delete(entry.id);
  const events: OutboxEvent[] = [];
  if (entry.recordCollection === 'outgoing') {
    const docs = tx.collection<OutgoingRecord>(C.outgoing);
    const doc = docs.get(entry.recordId);
    if (doc) {
      if (entry.messageType === 'edoc') {
        const t = nextOutgoingState(doc.state, 'axis-refused');
        if (t.ok) doc.state = t.state;
        doc.relay = { ...doc.relay, attempts: entry.attempts + 1, nextAttemptAt: null, lastError: reason };
        addHistory(doc, { at, event: 'failed', description: reason });
        events.push({ name: 'outgoing.failed', payload: { id: doc.id, documentId: doc.documentId, reason } });
      } else {
        addHistory(doc, { ...statusHistory(entry, at, 'status-failed'), description: reason });
      }
      docs.put(doc);
    }
  } else {
    const docs = tx.collection<IncomingRecord>(C.incoming);
    const doc = docs.get(entry.recordId);
    if (doc) docs.put(addHistory(doc, { ...statusHistory(entry, at, 'status-failed'), description: reason }));
  }
  tx.audit({ event: 'send-refused', actor: 'system:outbox', subject: entry.documentId, data: { record: entry.recordId, reason, statusCode: entry.statusCode } });
  return events;
}

/** A transient failure: count it and keep the next try durable, so a restart continues. */
export function stageRetry(tx: Tx, entry: OutboxEntry, reason: string, nextAttemptAt: string): void {
  const outbox = tx.collection<OutboxEntry>(C.outbox);
  if (!outbox.get(entry.id)) return;
  outbox.update(entry.id, (e) => {
    e.attempts += 1;
    e.nextAttemptAt = nextAttemptAt;
    e.lastError = reason;
  });
  if (entry.recordCollection === 'outgoing' && entry.messageType === 'edoc') {
    const docs = tx.collection<OutgoingRecord>(C.outgoing);
    const doc = docs.get(entry.recordId);
    if (doc) {
      doc.relay = { ...doc.relay, attempts: entry.attempts + 1, nextAttemptAt, lastError: reason };
      docs.put(doc);
    }
  }
}

function statusHistory(entry: OutboxEntry, at: string, event: string): { at: string; event: string; statusCode?: string; organId?: string; description?: string } {
  const code = entry.statusCode;
  const h: { at: string; event: string; statusCode?: string; organId?: string; description?: string } = { at, event };
  if (code !== undefined) {
    h.statusCode = code;
    if (isStatusCode(code)) h.description = statusCodeInfo(code).en;
  }
  if (entry.to.length === 1) h.organId = entry.to[0]!;
  return h;
}
