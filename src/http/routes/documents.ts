import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import type { ListQuery } from '../../documents/types.js';
import type { RouteDeps } from '../app.js';
import { actorOf, requireRole } from '../auth-hooks.js';
import { docRef, IdParams, multipartDoc, responses } from '../schemas.js';
import { sniffFile } from '../sniff.js';
import { receiveForm, removeTemps } from '../uploads.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
/** Attachments may be office documents, images, archives, text; never programs. */
const ATTACHMENT_KINDS = new Set(['pdf', 'xml', 'zip', 'ole', 'png', 'jpeg', 'gif', 'tiff', 'text', 'cms', 'binary']);

export function documentRoutes(app: FastifyInstance, d: RouteDeps): void {
  app.post(
    '/api/v1/documents',
    {
      onRequest: requireRole('clerk'),
      schema: {
        summary: 'Submit an outgoing document (signed with the organisation key, then queued for the axis)',
        tags: ['documents'],
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', maxLength: 200 } } },
        'x-multipart': multipartDoc(
          {
            metadata: { description: 'JSON submission metadata (spec/http-api.md "Submission metadata")' },
            file: { description: 'the main PDF', binary: true },
            attachments: { description: '0..limits.maxAttachments files', binary: true, array: true },
          },
          ['metadata', 'file'],
        ),
        response: responses({ 201: docRef }, [400, 409, 413, 415, 422, 503, 507]),
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
        throw new AppError('BAD_REQUEST', 'Idempotency-Key must be 1–200 visible ASCII characters');
      }
      const form = await receiveForm(req, { dir: d.uploadDir, limits: d.limits, fileFields: { file: 1, attachments: d.limits.maxAttachments } });
      const problems: { field: string; problem: string }[] = [];
      const rawMeta = form.fields['metadata'];
      const file = form.files['file']?.[0];
      if (rawMeta === undefined) problems.push({ field: 'metadata', problem: 'is required' });
      if (!file) problems.push({ field: 'file', problem: 'is required' });
      if (problems.length > 0) throw new AppError('VALIDATION_FAILED', 'the submission is incomplete', problems);
      let metadata: unknown;
      try {
        metadata = JSON.parse(rawMeta!);
      } catch {
        throw new AppError('BAD_REQUEST', 'metadata is not valid JSON');
      }
      if ((await sniffFile(file!.path)) !== 'pdf') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'the main file must be a PDF', { field: 'file' });
      const attachments = form.files['attachments'] ?? [];
      for (const [i, a] of attachments.entries()) {
        const kind = await sniffFile(a.path);
        if (!ATTACHMENT_KINDS.has(kind)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', `attachment ${a.filename} is not an allowed file type`, { field: `attachments[${i}]`, kind });
      }
      const started = process.hrtime.bigint();
      // The documents service copies what it keeps into the blob store; the uploads go now.
      const view = await d.documents
        .submit({ metadata, file: file!, attachments, actor: actorOf(req), ...(key !== undefined ? { idempotencyKey: key } : {}) })
        .finally(() => removeTemps(req));
      d.metrics.observeSign(Number(process.hrtime.bigint() - started) / 1e9);
      return reply.status(201).header('location', `/api/v1/documents/${encodeURIComponent(view.id)}`).send(view);
    },
  );

  app.get<{ Querystring: ListQuery }>(
    '/api/v1/documents',
    {
      onRequest: requireRole('viewer'),
      schema: {
        summary: 'List documents, newest first',
        tags: ['documents'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            direction: { type: 'string', enum: ['outgoing', 'incoming'] },
            state: { type: 'string', maxLength: 40 },
            type: { type: 'string', maxLength: 10 },
            q: { type: 'string', maxLength: 200 },
            from: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}' },
            to: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}' },
            limit: { type: 'integer', minimum: 1, maximum: 200 },
            cursor: { type: 'string', maxLength: 400 },
          },
        },
        response: responses({ 200: { type: 'object', properties: { items: { type: 'array', items: docRef }, nextCursor: { type: ['string', 'null'] } } } }, [422]),
      },
    },
    async (req) => d.documents.list(req.query),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/documents/:id',
    { onRequest: requireRole('viewer'), schema: { summary: 'One document with its recipients and history', tags: ['documents'], params: IdParams, response: responses({ 200: docRef }, [404]) } },
    async (req) => d.documents.get(req.params.id),
  );

  app.post<{ Params: { id: string }; Body: { code: string; description?: string } }>(
    '/api/v1/documents/:id/status',
    {
      onRequest: requireRole('clerk'),
      schema: {
        summary: 'Set the status of an incoming document (relayed to the sender)',
        description: '02 refuse (needs a description), 03 accept, 04 assign, 05 in progress, 06 done. Extension: while a recall (13) is pending, 15 agrees to it and 16 refuses it.',
        tags: ['documents'],
        params: IdParams,
        body: {
          type: 'object',
          required: ['code'],
          additionalProperties: false,
          properties: { code: { type: 'string', enum: ['02', '03', '04', '05', '06', '15', '16'] }, description: { type: 'string', maxLength: 2000 } },
        },
        response: responses({ 200: docRef }, [400, 404, 409, 422]),
      },
    },
    async (req) => d.documents.setIncomingStatus(req.params.id, req.body.code, req.body.description, actorOf(req)),
  );

  app.post<{ Params: { id: string }; Body: { reason: string } }>(
    '/api/v1/documents/:id/recall',
    {
      onRequest: requireRole('clerk'),
      schema: {
        summary: 'Recall an outgoing document: status 13 to every recipient; their 15/16 answers appear in history',
        tags: ['documents'],
        params: IdParams,
        body: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: { type: 'string', minLength: 1, maxLength: 2000 } } },
        response: responses({ 200: docRef }, [400, 404, 409, 422]),
      },
    },
    async (req) => d.documents.recall(req.params.id, req.body.reason, actorOf(req)),
  );
}
