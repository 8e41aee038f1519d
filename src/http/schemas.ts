/**
 * JSON schemas of the contract's bodies. Fastify validates requests with them and
 * @fastify/swagger turns the same objects into `GET /api/openapi.json`. Response objects allow
 * additional properties: the serializer must never drop a field the documents service adds.
 */
const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;

export const ErrorBody = {
  $id: 'ErrorBody',
  type: 'object',
  description: 'Every error. `code` for programs, `message` for people (vi by default, en per Accept-Language); so is each `details[].problem`, while `details[].field` never changes.',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: {
          type: 'string',
          enum: ['BAD_REQUEST', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'VALIDATION_FAILED', 'SECRET_DOCUMENT', 'MALFORMED_PDF', 'PRIOR_SIGNATURE_REQUIRED', 'UNKNOWN_RECIPIENT', 'RATE_LIMITED', 'HSM_UNAVAILABLE', 'STORAGE_FULL', 'INTERNAL'],
        },
        message: str,
        details: {},
      },
    },
  },
} as const;

const errorRef = { $ref: 'ErrorBody#' } as const;

/** Response map: the success schema plus the error body for each listed status. */
export function responses(ok: Record<number, unknown>, errors: number[]): Record<number, unknown> {
  const r: Record<number, unknown> = { ...ok };
  for (const s of [401, 403, 500, ...errors]) r[s] = errorRef;
  return r;
}

export const Signer = {
  type: ['object', 'null'],
  properties: { subject: str, issuer: str, serial: str, notBefore: str, notAfter: str },
} as const;

export const Signature = {
  type: 'object',
  additionalProperties: true,
  properties: {
    format: { type: 'string', enum: ['pades', 'cades', 'xmldsig'] },
    signer: Signer,
    signedAt: nullableStr,
    integrity: { type: 'string', enum: ['valid', 'invalid'] },
    coversWholeDocument: { type: 'boolean' },
    certificateTrusted: { type: 'boolean' },
  },
} as const;

const FileInfo = { type: 'object', properties: { name: str, contentType: str, size: { type: 'integer' }, sha256: str } } as const;

export const DocumentView = {
  $id: 'DocumentView',
  type: 'object',
  additionalProperties: true,
  properties: {
    id: str,
    direction: { type: 'string', enum: ['outgoing', 'incoming'] },
    documentId: str,
    state: str,
    type: nullableStr,
    typeName: str,
    number: str,
    notation: str,
    subject: str,
    priority: { type: 'integer' },
    promulgationDate: str,
    from: { type: 'object', properties: { organId: str, name: str } },
    recipients: {
      type: 'array',
      items: { type: 'object', properties: { organId: str, status: nullableStr, statusAt: nullableStr, overdue: { type: 'boolean' } } },
    },
    signatures: { type: 'array', items: Signature },
    file: { anyOf: [FileInfo, { type: 'null' }] },
    attachments: { type: 'array', items: FileInfo },
    createdAt: str,
    updatedAt: str,
    relay: { type: 'object', additionalProperties: true },
    recallRequested: { anyOf: [{ type: 'object', properties: { reason: str, at: str } }, { type: 'null' }] },
    reason: nullableStr,
    history: {
      type: 'array',
      items: {
        type: 'object',
        properties: { at: str, event: str, statusCode: str, organId: str, by: str, description: str },
      },
    },
  },
} as const;

export const docRef = { $ref: 'DocumentView#' } as const;

export const VerifyResult = {
  type: 'object',
  properties: { valid: { type: 'boolean' }, signatures: { type: 'array', items: Signature } },
} as const;

export const ReportSummary = {
  type: 'object',
  additionalProperties: true,
  properties: {
    from: str,
    to: str,
    byType: { type: 'object', additionalProperties: { type: 'integer' } },
    byState: { type: 'object', additionalProperties: { type: 'integer' } },
    byDirection: { type: 'object', properties: { outgoing: { type: 'integer' }, incoming: { type: 'integer' } } },
    byDay: { type: 'array', items: { type: 'object', additionalProperties: true } },
    overdue: { type: 'array', items: { type: 'object', properties: { id: str, documentId: str, organId: str, sentAt: str } } },
  },
} as const;

export const IdParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;

/** Documents a multipart body in OpenAPI only (fastify does not parse it into `body`). */
export function multipartDoc(fields: Record<string, { description: string; binary?: boolean; array?: boolean }>, required: string[]): unknown {
  const properties: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(fields)) {
    const one = f.binary ? { type: 'string', format: 'binary' } : { type: 'string' };
    properties[k] = f.array ? { type: 'array', items: one, description: f.description } : { ...one, description: f.description };
  }
  return { type: 'object', required, properties };
}
