import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError, type ErrorCode } from '../errors.js';
import { messageFor, pickLang, type Lang } from './i18n.js';
import { localizeDetails } from './i18n-problems.js';
import { schemaProblems } from './i18n-schema.js';

/**
 * One mapping from errors to the body of spec/http-api.md: `{"error":{"code","message","details"?}}`.
 * AppErrors carry their own code; fastify's own errors (bad JSON, body too large, wrong content
 * type, schema validation) are translated; anything else is logged in full and answered as a bare
 * 500, so stack traces, PKCS#11 return codes and file paths never reach a client. Details of 5xx
 * errors stay in the log for the same reason.
 */
export function errorBody(code: ErrorCode, message: string, details?: unknown): { error: Record<string, unknown> } {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Fastify's own errors as AppErrors; schema problems come out already in `lang`. */
function fromFastify(e: FastifyError, lang: Lang, untranslated: (text: string) => void): AppError | null {
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError('BAD_REQUEST', 'malformed request body');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AppError('PAYLOAD_TOO_LARGE', 'upload too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'unsupported content type');
    case 'FST_ERR_VALIDATION':
      return e.validationContext === 'body' || e.validationContext === 'querystring' || e.validationContext === 'params'
        ? new AppError('VALIDATION_FAILED', 'the request is invalid', schemaProblems(e, lang, untranslated))
        : new AppError('BAD_REQUEST', 'invalid request headers');
    default:
      if (e.statusCode === 400) return new AppError('BAD_REQUEST', 'bad request');
      if (e.statusCode === 413) return new AppError('PAYLOAD_TOO_LARGE', 'request body too large');
      if (e.statusCode === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', 'unsupported content type');
      return null;
  }
}

/** Hook for counting errors (metrics) without the handler knowing about metrics. */
export type ErrorObserver = (code: ErrorCode) => void;

export function installErrorHandler(app: FastifyInstance, observe?: ErrorObserver): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const lang = pickLang(req.headers['accept-language']);
    // A text without a Vietnamese translation is a bug the catalogue test should have caught.
    const untranslated = (text: string): void => req.log.warn({ problem: text }, 'problem text without a Vietnamese translation');
    const known = isAppError(err) ? err : fromFastify(err, lang, untranslated);
    if (known) {
      observe?.(known.code);
      if (known.status >= 500) req.log.warn({ err, code: known.code }, 'request failed');
      const retryAfter = (known.details as { retryAfter?: unknown } | undefined)?.retryAfter;
      if (known.code === 'RATE_LIMITED' && typeof retryAfter === 'number') void reply.header('Retry-After', String(retryAfter));
      const shown = known.status >= 500 || known.code === 'RATE_LIMITED' ? undefined : known.details;
      // `[{field, problem}]` of our own AppErrors are English at the source; fastify's are done above.
      const details = isAppError(err) ? localizeDetails(shown, lang, untranslated) : shown;
      return reply.status(known.status).send(errorBody(known.code, messageFor(known.code, lang, known.status < 500 ? known.message : undefined), details));
    }
    observe?.('INTERNAL');
    req.log.error({ err }, 'internal error');
    return reply.status(500).send(errorBody('INTERNAL', messageFor('INTERNAL', lang)));
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send(errorBody('NOT_FOUND', messageFor('NOT_FOUND', pickLang(req.headers['accept-language'])))));
}
