import { nextOutgoingState, statusCodeInfo, isStatusCode } from '../domain/index.js';
import type { Tx } from '../store/transaction.js';
import type { AuditInput } from '../store/audit.js';
import type { HistoryEntry } from '../documents/types.js';
import { C, addHistory, type IncomingRecord, type OutboxEntry, type OutgoingRecord } from '../documents/records.js';

/**
 * What a finished send does to the document records, staged inside the outbox's transaction so
 * the record, the removal of the outbox entry and the audit entry are one durable write.
 * Returns the events to publish once the write is durable.
 */
export type OutboxEvent =
  | { name: 'outgoing.sent'; payload: { id: string; documentId: string } }
  | { name: 'outgoing.failed'; payload: { id: string; documentId: string; reason: string } };

/**
 * How a send ended for good: the axis accepted the package (under its own DocId), or refused it
 * (not a network problem, not our credentials). Transient failures go to `stageRetry` instead.
 */
export type SendOutcome =
  | { kind: 'sent'; axisDocId: string; at: string }
  | { kind: 'refused'; reason: string; at: string };

/** Removes the outbox entry and records the outcome on its document, in history and the audit log. */
export function stageOutcome(tx: Tx, entry: OutboxEntry, outcome: SendOutcome): OutboxEvent[] {
  tx.collection<OutboxEntry>(C.outbox).delete(entry.id);
  const events: OutboxEvent[] = [];
  if (entry.recordCollection === 'outgoing') {
    const docs = tx.collection<OutgoingRecord>(C.outgoing);
    const doc = docs.get(entry.recordId);
    if (doc) {
      if (entry.messageType === 'edoc') events.push(applyEdocOutcome(doc, entry, outcome));
      else addHistory(doc, statusOutcomeHistory(entry, outcome));
      docs.put(doc);
    }
  } else {
    const docs = tx.collection<IncomingRecord>(C.incoming);
    const doc = docs.get(entry.recordId);
    if (doc) docs.put(addHistory(doc, statusOutcomeHistory(entry, outcome)));
  }
  tx.audit(outcomeAudit(entry, outcome));
  return events;
}

/** The outgoing document's own package: its state, relay counters and the event to publish. */
function applyEdocOutcome(doc: OutgoingRecord, entry: OutboxEntry, outcome: SendOutcome): OutboxEvent {
  const { at } = outcome;
  const attempts = entry.attempts + 1;
  if (outcome.kind === 'sent') {
    const { axisDocId } = outcome;
    const t = nextOutgoingState(doc.state, 'axis-accepted');
    if (t.ok) doc.state = t.state;
    doc.relay = { ...doc.relay, attempts, nextAttemptAt: null, lastError: null, sentAt: at, axisDocId };
    addHistory(doc, { at, event: 'sent', description: `axis DocId ${axisDocId}` });
    return { name: 'outgoing.sent', payload: { id: doc.id, documentId: doc.documentId } };
  }
  const { reason } = outcome;
  const t = nextOutgoingState(doc.state, 'axis-refused');
  if (t.ok) doc.state = t.state;
  doc.relay = { ...doc.relay, attempts, nextAttemptAt: null, lastError: reason };
  addHistory(doc, { at, event: 'failed', description: reason });
  return { name: 'outgoing.failed', payload: { id: doc.id, documentId: doc.documentId, reason } };
}

/** A status package (either direction): a history line; a refusal's reason replaces the code's text. */
function statusOutcomeHistory(entry: OutboxEntry, outcome: SendOutcome): HistoryEntry {
  if (outcome.kind === 'sent') return statusHistory(entry, outcome.at, 'status-sent');
  return { ...statusHistory(entry, outcome.at, 'status-failed'), description: outcome.reason };
}

function outcomeAudit(entry: OutboxEntry, outcome: SendOutcome): AuditInput {
  const subject = entry.documentId;
  if (outcome.kind === 'sent') {
    const event = entry.messageType === 'edoc' ? 'sent' : 'status-sent';
    const data = { record: entry.recordId, packageId: entry.packageId, axisDocId: outcome.axisDocId, to: entry.to, statusCode: entry.statusCode };
    return { event, actor: 'system:outbox', subject, data };
  }
  return { event: 'send-refused', actor: 'system:outbox', subject, data: { record: entry.recordId, reason: outcome.reason, statusCode: entry.statusCode } };
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

function statusHistory(entry: OutboxEntry, at: string, event: string): HistoryEntry {
  const code = entry.statusCode;
  const h: HistoryEntry = { at, event };
  if (code !== undefined) {
    h.statusCode = code;
    if (isStatusCode(code)) h.description = statusCodeInfo(code).en;
  }
  if (entry.to.length === 1) h.organId = entry.to[0]!;
  return h;
}
