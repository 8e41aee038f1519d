/**
 * Every way an edXML package can be refused, as a code the inbox can turn into a status 02 reason
 * and tests can assert. The parser throws nothing else: native errors (saxes, sinks) are wrapped.
 */
export type EdxmlErrorCode =
  | 'DTD_FORBIDDEN'
  | 'TOO_DEEP'
  | 'TOO_LARGE'
  | 'TOO_MANY_ATTACHMENTS'
  | 'NOT_EDXML'
  | 'MALFORMED'
  | 'BAD_BASE64'
  | 'MISSING_FIELD'
  | 'INVALID_FIELD'
  | 'SINK_FAILED'
  | 'INVALID_INPUT';

export class EdxmlError extends Error {
  readonly code: EdxmlErrorCode;
  /** The element path or field concerned, when there is one (never document content). */
  readonly field: string | undefined;

  constructor(code: EdxmlErrorCode, message: string, field?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EdxmlError';
    this.code = code;
    this.field = field;
  }
}

export function isEdxmlError(e: unknown): e is EdxmlError {
  return e instanceof EdxmlError;
}
