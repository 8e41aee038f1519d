import type { Readable } from 'node:stream';
import type { VerifiedSignature, VerifyResult } from '../signing/types.js';

/**
 * The use cases every transport calls (http/, console/, cli/): they hold the business rules, so no
 * transport does. This file is the contract between the documents/relay implementation and the
 * HTTP layer; shapes follow spec/http-api.md.
 */

/** A file a transport has already streamed to a temp file on disk (never buffered whole). */
export interface UploadedFile {
  path: string;
  filename: string;
  contentType: string;
  size: number;
  /** SHA-256 (hex) of the bytes written to `path`, computed while the upload streamed in. */
  sha256?: string;
}

/**
 * An upload received in memory only: small enough for the route's allowance (the sign route's),
 * so no temp file was ever written — it would only be read back and deleted.
 */
export interface InMemoryUpload {
  path?: undefined;
  bytes: Buffer;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

/** What the sign use case accepts: a file on disk or a small upload held in memory. */
export type SignUpload = UploadedFile | InMemoryUpload;

/** Who asks: recorded in history and the audit log. */
export interface Actor {
  kind: 'user' | 'apikey' | 'system' | 'console' | 'cli';
  name: string;
  role: 'viewer' | 'clerk' | 'admin';
}

export interface HistoryEntry {
  at: string;
  event: string;
  statusCode?: string;
  organId?: string;
  by?: string;
  description?: string;
}

export interface RecipientView {
  organId: string;
  /** Latest status code reported by this recipient, null before the first one. */
  status: string | null;
  statusAt: string | null;
  overdue: boolean;
}

export interface FileInfo {
  name: string;
  contentType: string;
  size: number;
  sha256: string;
}

export type OutgoingState = 'signed' | 'queued' | 'sent' | 'failed' | 'recalled';
export type IncomingState = 'arrived' | 'accepted' | 'refused' | 'assigned' | 'in-progress' | 'done' | 'recalled';

export interface DocumentView {
  id: string;
  direction: 'outgoing' | 'incoming';
  documentId: string;
  state: OutgoingState | IncomingState;
  /** Catalogue id; null for an incoming document whose TypeName is not in the catalogue. */
  type: string | null;
  typeName: string;
  number: string;
  notation: string;
  subject: string;
  priority: number;
  promulgationDate: string;
  /** Outgoing: this office. Incoming: the sender. */
  from: { organId: string; name: string };
  recipients: RecipientView[];
  signatures: VerifiedSignature[];
  file: FileInfo | null;
  attachments: FileInfo[];
  createdAt: string;
  updatedAt: string;
  /** Outgoing: attempts and the next retry while queued; the failure reason when failed. */
  relay?: { attempts: number; nextAttemptAt: string | null; lastError: string | null; sentAt: string | null };
  /** Incoming: set while a recall (13) from the sender awaits the office's answer. */
  recallRequested?: { reason: string; at: string } | null;
  /** Incoming: the refusal or verification reason. */
  reason?: string | null;
  history: HistoryEntry[];
}

export interface ListQuery {
  direction?: 'outgoing' | 'incoming';
  state?: string;
  type?: string;
  q?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export interface ListResult {
  items: DocumentView[];
  nextCursor: string | null;
}

export interface SubmitInput {
  metadata: unknown;
  file: UploadedFile;
  attachments: UploadedFile[];
  idempotencyKey?: string;
  actor: Actor;
}

export interface SignInput {
  file: SignUpload;
  format: 'auto' | 'pades' | 'cades' | 'xmldsig';
  actor: Actor;
}

export interface SignedOutput {
  /** Temp file holding the result; the caller streams it and then removes it. */
  path?: string;
  /** Or the result in memory (small inputs): exactly one of `path` and `bytes` is set. */
  bytes?: Uint8Array;
  contentType: string;
  filename: string;
  signatureId: string;
}

export interface FileStream {
  stream: Readable;
  contentType: string;
  filename: string;
  size: number;
}

export interface OrganEntry {
  id: string;
  name: string;
}

export interface ReportQuery {
  from: string;
  to: string;
}

export interface ReportSummary {
  from: string;
  to: string;
  byType: Record<string, number>;
  byState: Record<string, number>;
  byDirection: { outgoing: number; incoming: number };
  byDay: { day: string; outgoing: Record<string, number>; incoming: Record<string, number> }[];
  overdue: { id: string; documentId: string; organId: string; sentAt: string }[];
}

export interface QueueSnapshot {
  outgoing: number;
  failed: number;
  incomingUnread: number;
  overdue: number;
}

export interface DocumentsService {
  submit(input: SubmitInput): Promise<DocumentView>;
  sign(input: SignInput): Promise<SignedOutput>;
  verify(file: UploadedFile, signature?: UploadedFile): Promise<VerifyResult>;
  list(query: ListQuery): Promise<ListResult>;
  get(id: string): Promise<DocumentView>;
  openFile(id: string): Promise<FileStream>;
  openAttachment(id: string, n: number): Promise<FileStream>;
  openEdxml(id: string): Promise<FileStream>;
  /** Incoming only: 02 (needs a description), 03, 04, 05, 06; 15/16 answer a recall. */
  setIncomingStatus(id: string, code: string, description: string | undefined, actor: Actor): Promise<DocumentView>;
  /** Outgoing only: sends 13 to every recipient. */
  recall(id: string, reason: string, actor: Actor): Promise<DocumentView>;
  organs(q?: string): Promise<OrganEntry[]>;
  report(query: ReportQuery): Promise<ReportSummary>;
  queue(): Promise<QueueSnapshot>;
}

export type { VerifyResult };
