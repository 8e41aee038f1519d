import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FileStream } from '../../documents/types.js';
import type { RouteDeps } from '../app.js';
import { requireRole } from '../auth-hooks.js';
import { contentDisposition } from '../file-names.js';
import { IdParams, responses } from '../schemas.js';

const binary = { description: 'the file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };

/** Streams a stored file with a safe Content-Disposition (RFC 5987 for Vietnamese names). */
export function sendFile(reply: FastifyReply, f: FileStream): FastifyReply {
  return reply
    .header('content-type', f.contentType || 'application/octet-stream')
    .header('content-length', String(f.size))
    .header('content-disposition', contentDisposition(f.filename))
    .header('x-content-type-options', 'nosniff')
    .send(f.stream);
}

export function fileRoutes(app: FastifyInstance, d: RouteDeps): void {
  const opts = (summary: string, params: object = IdParams) => ({
    onRequest: requireRole('viewer'),
    schema: { summary, tags: ['documents'], params, response: responses({ 200: binary }, [404]) },
  });
  app.get<{ Params: { id: string } }>('/api/v1/documents/:id/file', opts('The signed main file (outgoing) or the received main file (incoming)'), async (req, reply) =>
    sendFile(reply, await d.documents.openFile(req.params.id)),
  );
  app.get<{ Params: { id: string; n: number } }>(
    '/api/v1/documents/:id/attachments/:n',
    opts('Attachment n (0-based, as listed in `attachments`)', {
      type: 'object',
      required: ['id', 'n'],
      properties: { id: { type: 'string', minLength: 1, maxLength: 200 }, n: { type: 'integer', minimum: 0, maximum: 10000 } },
    }),
    async (req, reply) => sendFile(reply, await d.documents.openAttachment(req.params.id, req.params.n)),
  );
  app.get<{ Params: { id: string } }>('/api/v1/documents/:id/edxml', opts('The edXML package as sent or received'), async (req, reply) =>
    sendFile(reply, await d.documents.openEdxml(req.params.id)),
  );
}
