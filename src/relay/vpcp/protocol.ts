/**
 * Message shapes of the VPCP protocol (domain.md §5), shared by the adapter and the simulator.
 * Details are [observed] from the SDK and kept here, in one place, as named constants.
 */
export const OPERATIONS = ['sendEdoc', 'getReceivedEdocList', 'getEdoc', 'updateStatus', 'getSentEdocList', 'getAgenciesList'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** The multipart/form-data part that carries the package in `sendEdoc`. */
export const FILE_PART = 'file_doc';
/** The `Content-Type` field of `sendEdoc`, signed like the other fields. */
export const FILE_CONTENT_TYPE = 'application/octet-stream';
/** `servicetype` when the caller gives none [uncertain]. */
export const DEFAULT_SERVICE_TYPE = 'eDoc';
export const DELIVERY_STATUSES = ['processing', 'done', 'fail'] as const;

export interface VpcpResponse {
  status: 'OK' | 'FAIL';
  ErrorCode?: string;
  ErrorDesc?: string;
  DocId?: string;
  data?: unknown;
}

/** One entry of `getReceivedEdocList` / `getSentEdocList` as it travels. */
export interface WireListEntry {
  docId: string;
  messageType: string;
  from: string;
  /** A JSON array of OrganIds (as sent in `to`), or one OrganId, depending on the axis. */
  to: string[] | string;
  created_time: string;
  recipients?: Record<string, string>;
}

/**
 * `ErrorCode`s the simulator answers with. The real axis' codes are not public; the adapter
 * treats any FAIL as permanent except the codes in TRANSIENT_AXIS_CODES.
 */
export const AXIS_ERRORS = {
  AUTH_MISSING: 'AUTH_MISSING',
  AUTH_UNKNOWN_SYSTEM: 'AUTH_UNKNOWN_SYSTEM',
  AUTH_BAD_SIGNATURE: 'AUTH_BAD_SIGNATURE',
  AUTH_HEADER_MISMATCH: 'AUTH_HEADER_MISMATCH',
  AUTH_STALE_TIMESTAMP: 'AUTH_STALE_TIMESTAMP',
  HASH_MISMATCH: 'HASH_MISMATCH',
  BAD_REQUEST: 'BAD_REQUEST',
  UNKNOWN_AGENCY: 'UNKNOWN_AGENCY',
  NOT_FOUND: 'NOT_FOUND',
  TOO_LARGE: 'TOO_LARGE',
  UNKNOWN_OPERATION: 'UNKNOWN_OPERATION',
  INTERNAL: 'INTERNAL',
  BUSY: 'BUSY',
} as const;

export const TRANSIENT_AXIS_CODES: ReadonlySet<string> = new Set([AXIS_ERRORS.INTERNAL, AXIS_ERRORS.BUSY]);

export function okResponse(extra: Omit<VpcpResponse, 'status'> = {}): VpcpResponse {
  return { status: 'OK', ErrorCode: '0', ErrorDesc: '', ...extra };
}

export function failResponse(code: string, desc: string): VpcpResponse {
  return { status: 'FAIL', ErrorCode: code, ErrorDesc: desc };
}
