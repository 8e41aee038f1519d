/**
 * Errors are values with codes. Every failure a client or an operator must understand is an
 * AppError; the HTTP layer maps it to `{"error":{"code","message","details"}}` and the CLI to an
 * exit code. Anything else is an internal error: logged in full, shown to people without internals.
 */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'VALIDATION_FAILED'
  | 'SECRET_DOCUMENT'
  | 'MALFORMED_PDF'
  | 'PRIOR_SIGNATURE_REQUIRED'
  | 'UNKNOWN_RECIPIENT'
  | 'RATE_LIMITED'
  | 'HSM_UNAVAILABLE'
  | 'STORAGE_FULL'
  | 'CONFIG_INVALID'
  | 'STATE_LOCKED'
  | 'INTERNAL';

const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_FAILED: 422,
  SECRET_DOCUMENT: 422,
  MALFORMED_PDF: 422,
  PRIOR_SIGNATURE_REQUIRED: 422,
  UNKNOWN_RECIPIENT: 422,
  RATE_LIMITED: 429,
  HSM_UNAVAILABLE: 503,
  STORAGE_FULL: 507,
  CONFIG_INVALID: 500,
  STATE_LOCKED: 503,
  INTERNAL: 500,
};

export interface FieldProblem {
  field: string;
  problem: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.status = STATUS[code];
    this.details = details;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Exit codes of the CLI contract (spec/cli-and-config.md). */
export const EXIT = {
  OK: 0,
  BAD: 1,
  USAGE: 2,
  UNAVAILABLE: 69,
  CONFIG: 78,
} as const;
