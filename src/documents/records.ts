import type { DocumentMetadata, RecipientStatus } from '../domain/index.js';
import type { DocumentView, HistoryEntry, IncomingState, OutgoingState } from './types.js';

/**
 * The shapes the documents service and the relay workers keep in the store. They are internal:
 * transports see `DocumentView` (types.ts), built from these by view.ts.
 *
 * Collections: `outgoing`, `incoming` (documents), `outbox` (packages waiting for the axis),
 * `inboxSeen` (axis docIds already handled: duplicate suppression, archived at once so the active
 * file stays small), `idempotency`, `organs`, `webhookQueue`, `meta`.
 */
export const C = {
  outgoing: 'outgoing',
  incoming: 'incoming',
  outbox: 'outbox',
  inboxSeen: 'inboxSeen',
  idempotency: 'idempotency',
  organs: 'organs',
  webhookQueue: 'webhookQueue',
  meta: 'meta',
} as const;

/** A file kept in the blob store. */
export interface StoredFile {
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  /** Set when the content was removed (a recalled incoming document): the record stays. */
  removed?: boolean;
}

export interface RelayInfo {
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  queuedAt: string;
  sentAt: string | null;
  /** The axis' DocId for the package, once accepted. */
  axisDocId?: string | null;
}

/** A recipient of an outgoing document: the domain's status record plus our own flags. */
export interface OutgoingRecipient extends RecipientStatus {
  /** `outgoing.overdue` was published for this recipient (once only). */
  overdueNotified?: boolean;
  /** When the first receipt (any receiver code) arrived. */
  statusAt?: string | null;
}

/**
 * The fields a stored record hands to its view unchanged (view.ts copies them across), taken from
 * `DocumentView` so the two cannot drift apart. Fields the view reshapes stay declared here.
 */
type ViewFields = Pick<DocumentView, 'id' | 'documentId' | 'typeName' | 'from' | 'signatures' | 'history' | 'createdAt' | 'updatedAt'>;

/** An incoming document's envelope fields, which the view shows as they are. */
type IncomingViewFields = Pick<DocumentView, 'type' | 'number' | 'notation' | 'subject' | 'priority' | 'promulgationDate'>;

export interface OutgoingRecord extends ViewFields {
  direction: 'outgoing';
  state: OutgoingState;
  /** Type, number, notation, subject, priority and date live here (the view reads them). */
  metadata: DocumentMetadata;
  recipients: OutgoingRecipient[];
  /** The signed main file (the original is kept too, for audits). */
  file: StoredFile;
  original: StoredFile;
  attachments: StoredFile[];
  edxml: StoredFile & { packageId: string };
  relay: RelayInfo;
  recall?: { reason: string; at: string } | null;
  idempotencyKey?: string;
}

export interface IncomingRecord extends ViewFields, IncomingViewFields {
  direction: 'incoming';
  state: IncomingState;
  to: string[];
  file: StoredFile | null;
  attachments: StoredFile[];
  edxml: StoredFile;
  /** The axis' DocId it arrived under. */
  axisDocId: string;
  reason: string | null;
  recallRequested: { reason: string; at: string } | null;
  /** Codes this office sent about it, in order. */
  sentCodes: string[];
}

export type DocumentRecord = OutgoingRecord | IncomingRecord;

/**
 * One package waiting for `sendEdoc`. The package is built once and kept as a blob, so every
 * retry sends byte-identical content under the same package id (invariant 6).
 */
export interface OutboxEntry {
  id: string;
  messageType: 'edoc' | 'status';
  /** The outgoing (edoc, 13) or incoming (01–16 answers) record this package belongs to. */
  recordId: string;
  recordCollection: 'outgoing' | 'incoming';
  documentId: string;
  /** For status packages. */
  statusCode?: string;
  priority: number;
  packageId: string;
  blob: string;
  size: number;
  from: string;
  to: string[];
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  /** Sortable creation key (time + counter): per-document FIFO even within one millisecond. */
  order: string;
  /** `outgoing.offline-alert` was published for this entry. */
  alerted?: boolean;
}

export interface InboxSeen {
  id: string;
  at: string;
  messageType: string;
  outcome: 'accepted' | 'refused' | 'failed' | 'status' | 'ignored';
  recordId?: string;
}

export interface IdempotencyRecord {
  id: string;
  bodyHash: string;
  recordId: string;
  at: string;
}

export interface OrganRecord {
  id: string;
  name: string;
  syncedAt: string;
}

/** Appends a history entry (the record's own timeline, shown by the API). */
export function addHistory<R extends Pick<DocumentView, 'history' | 'updatedAt'>>(r: R, entry: HistoryEntry): R {
  r.history.push(entry);
  r.updatedAt = entry.at;
  return r;
}

let counter = 0;
/** A key that sorts in creation order (see OutboxEntry.order). */
export function orderKey(now: Date = new Date()): string {
  counter = (counter + 1) % 1_000_000;
  return `${now.getTime().toString(36).padStart(10, '0')}-${counter.toString().padStart(6, '0')}`;
}
