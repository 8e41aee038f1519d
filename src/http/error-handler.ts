import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError, type ErrorCode } from '../errors.js';

/**
 * One mapping from errors to the body of spec/http-api.md: `{"error":{"code","message","details"?}}`.
 * AppErrors carry their own code; fastify's own errors (bad JSON, body too large, wrong content
 * type) are translated; anything else is logged in full and answered as a bare 500, so stack
 * traces, PKCS#11 return codes and file paths never reach a client.
 */
export function errorBody(code: ErrorCode, message: string, details?: unknown): { error: Record<string, unknown> } {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

function fromFastify(e: FastifyError): AppError | null {
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return e.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? new AppError('PAYLOAD_TOO_LARGE', 'request body too large')
        : new AppError('BAD_REQUEST', 'malformed request body');
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new AppError('PAYLOAD_TOO_LARGE', 'upload too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'unsupported content type');
    case 'FST_ERR_VALIDATION':
      return new AppError('BAD_REQUEST', e.message);
    default:
      if (e.statusCode === 400) return new AppError('BAD_REQUEST', 'bad request');
      if (e.statusCode === 413) return new AppError('PAYLOAD_TOO_LARGE', 'request body too large');
      if (e.statusCode === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', 'unsupported content type');
      return null;
  }
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const known = isAppError(err) ? err : fromFastify(err);
    if (known) {
      if (known.status >= 500) req.log.warn({ err, code: known.code }, 'request failed');
      if (known.code === 'RATE_LIMITED' && typeof (known.details as { retryAfter?: number } | undefined)?.retryAfter === 'number') {
        void reply.header('Retry-After', String((known.details as { retryAfter: number }).retryAfter));
      }
      return reply.status(known.status).send(errorBody(known.code, known.message, known.code === 'RATE_LIMITED' ? undefined : known.details));
    }
    req.log.error({ err }, 'internal error');
    return reply.status(500).send(errorBody('INTERNAL', 'internal error'));
  });
  app.setNotFoundHandler((_req, reply) => reply.status(404).send(errorBody('NOT_FOUND', 'not found')));
}
