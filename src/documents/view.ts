import { documentTypeById, isOverdue } from '../domain/index.js';
import type { FileInfo, DocumentView, RecipientView } from './types.js';
import type { IncomingRecord, OutgoingRecipient, OutgoingRecord, DocumentRecord, StoredFile } from './records.js';

/** Turns stored records into the API's DocumentView (spec/http-api.md). Pure. */
export interface ViewContext {
  now: Date;
  receiptDeadlineHours: number;
  organ: { id: string; name: string };
}

function fileInfo(f: StoredFile | null): FileInfo | null {
  if (!f || f.removed) return null;
  return { name: f.name, contentType: f.contentType, size: f.size, sha256: f.sha256 };
}

/** Codes a recipient sent us (history), for the overdue rule. */
function receivedCodes(r: OutgoingRecipient): string[] {
  return r.history.map((h) => h.code);
}

export function recipientOverdue(doc: OutgoingRecord, r: OutgoingRecipient, ctx: ViewContext): boolean {
  if (doc.state !== 'sent' || !doc.relay.sentAt) return false;
  return isOverdue(doc.relay.sentAt, receivedCodes(r), ctx.now, ctx.receiptDeadlineHours);
}

function outgoingRecipients(doc: OutgoingRecord, ctx: ViewContext): RecipientView[] {
  return doc.recipients.map((r) => ({
    organId: r.organId,
    status: r.latest,
    statusAt: r.statusAt ?? null,
    overdue: recipientOverdue(doc, r, ctx),
  }));
}

function outgoingView(doc: OutgoingRecord, ctx: ViewContext): DocumentView {
  return {
    id: doc.id,
    direction: 'outgoing',
    documentId: doc.documentId,
    state: doc.state,
    type: doc.metadata.type,
    typeName: doc.typeName,
    number: doc.metadata.number,
    notation: doc.metadata.notation,
    subject: doc.metadata.subject,
    priority: doc.metadata.priority,
    promulgationDate: doc.metadata.promulgationDate,
    from: doc.from,
    recipients: outgoingRecipients(doc, ctx),
    signatures: doc.signatures,
    file: fileInfo(doc.file),
    attachments: doc.attachments.flatMap((a) => fileInfo(a) ?? []),
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    relay: { attempts: doc.relay.attempts, nextAttemptAt: doc.relay.nextAttemptAt, lastError: doc.relay.lastError, sentAt: doc.relay.sentAt },
    history: doc.history,
  };
}

function incomingView(doc: IncomingRecord, ctx: ViewContext): DocumentView {
  const last = doc.sentCodes[doc.sentCodes.length - 1] ?? null;
  const lastAt = [...doc.history].reverse().find((h) => h.statusCode !== undefined && h.statusCode === last)?.at ?? null;
  return {
    id: doc.id,
    direction: 'incoming',
    documentId: doc.documentId,
    state: doc.state,
    type: doc.type,
    typeName: doc.typeName || (doc.type ? (documentTypeById(doc.type)?.name ?? '') : ''),
    number: doc.number,
    notation: doc.notation,
    subject: doc.subject,
    priority: doc.priority,
    promulgationDate: doc.promulgationDate,
    from: doc.from,
    // The office's own answers, seen as "this office's status" of the document.
    recipients: [{ organId: ctx.organ.id, status: last, statusAt: lastAt, overdue: false }],
    signatures: doc.signatures,
    file: fileInfo(doc.file),
    attachments: doc.attachments.flatMap((a) => fileInfo(a) ?? []),
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    recallRequested: doc.recallRequested,
    reason: doc.reason,
    history: doc.history,
  };
}

export function toView(doc: DocumentRecord, ctx: ViewContext): DocumentView {
  return doc.direction === 'outgoing' ? outgoingView(doc, ctx) : incomingView(doc, ctx);
}
