import type { Writable } from 'node:stream';

/**
 * The axis seen from the relay: the national VPCP axis or a provincial LGSP. The outbox and the
 * inbox workers depend on this port only; `src/relay/vpcp/` implements it over the VPCP protocol
 * (domain.md §5), and an LGSP REST/OAuth2 adapter can implement it later without touching them.
 *
 * Failures are `AxisError`s. `transient` tells the caller whether retrying the same call later can
 * succeed (network down, timeout, HTTP 5xx, the axis dropping the connection) or whether a person
 * must act first (refused credentials, unknown recipient, HTTP 4xx, a business error code).
 * Sending is at-least-once: after a transient failure the outbox resends the same package file and
 * the axis answers a duplicate with the DocId it gave the first time.
 */
export interface AxisPort {
  /** Hands a package (edoc or status) to the axis. Resolves once the axis has accepted it. */
  sendEdoc(pkg: PackageSource, opts: SendOptions): Promise<{ docId: string }>;
  /** Packages waiting for us (not yet acknowledged `done`/`fail`), oldest first. */
  getReceivedEdocList(messageType: MessageType): Promise<ReceivedEntry[]>;
  /**
   * Streams one package into `dest`, decoding the axis' base64 on the way. `dest` is ended on
   * success (the promise resolves after its `finish`) and destroyed on failure.
   */
  getEdoc(docId: string, dest: Writable): Promise<{ bytes: number; sha256: string }>;
  /** Delivery acknowledgement (not a business status): `done` once stored durably, `fail` if unusable. */
  updateStatus(docId: string, status: DeliveryStatus): Promise<void>;
  getSentEdocList(messageType?: MessageType): Promise<SentEntry[]>;
  getAgenciesList(): Promise<Agency[]>;
  /** Releases keep-alive sockets. */
  close(): Promise<void>;
}

export type MessageType = 'edoc' | 'status';
export type DeliveryStatus = 'processing' | 'done' | 'fail';

/**
 * The package file as the outbox stored it. Give `sha256` (hex, from the builder) when known, so
 * the file is read once instead of twice.
 */
export type PackageSource = { path: string; sha256?: string } | { bytes: Uint8Array };

export interface SendOptions {
  messageType: MessageType;
  /** Our OrganId. */
  from: string;
  /** Recipient OrganIds. */
  to: string[];
  /** VPCP `servicetype`; the adapter has a default. */
  serviceType?: string;
}

export interface ReceivedEntry {
  docId: string;
  messageType: MessageType | string;
  from: string;
  to: string[];
  /** As the axis wrote it (formats differ); informative only. */
  createdTime: string;
}

export interface SentEntry extends ReceivedEntry {
  /** Delivery state per recipient, when the axis reports it. */
  recipients?: Record<string, string>;
}

export interface Agency {
  id: string;
  name: string;
}

export type AxisErrorCode =
  | 'NETWORK'
  | 'TIMEOUT'
  | 'HTTP_STATUS'
  | 'BAD_RESPONSE'
  | 'REFUSED'
  | 'LOCAL_IO';

export class AxisError extends Error {
  /** Retrying the same call later can succeed. */
  readonly transient: boolean;
  readonly code: AxisErrorCode;
  readonly operation: string;
  readonly httpStatus: number | undefined;
  /** The axis' own `ErrorCode` when it answered FAIL. */
  readonly axisCode: string | undefined;

  constructor(
    init: { code: AxisErrorCode; transient: boolean; operation: string; message: string; httpStatus?: number; axisCode?: string },
    options?: { cause?: unknown },
  ) {
    super(init.message, options);
    this.name = 'AxisError';
    this.code = init.code;
    this.transient = init.transient;
    this.operation = init.operation;
    this.httpStatus = init.httpStatus;
    this.axisCode = init.axisCode;
  }
}

export function isAxisError(e: unknown): e is AxisError {
  return e instanceof AxisError;
}
