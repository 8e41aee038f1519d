import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import type { RouteDeps } from '../app.js';
import { actorOf, requireRole } from '../auth-hooks.js';
import { contentDisposition } from '../file-names.js';
import { multipartDoc, responses, VerifyResult } from '../schemas.js';
import { sniffFile, sniffUpload } from '../sniff.js';
import { receiveForm, removeTemps, trackTemp } from '../uploads.js';

const FORMATS = ['auto', 'pades', 'cades', 'xmldsig'] as const;
/**
 * Files up to this size are received in memory (no temp file on the SD card), signed there and
 * sent back from memory (documents/sign-verify.ts). Bounds the memory of one sign request to about
 * twice this; larger files spill to disk and take the file-to-file path, whose memory does not
 * grow with the file.
 */
const SIGN_IN_MEMORY_BYTES = 2 * 1024 * 1024;
/** The upload and the signed file built from it are both in memory until the answer is sent. */
const SIGN_MEMORY_PER_BYTE = 2;
type Format = (typeof FORMATS)[number];

export function signRoutes(app: FastifyInstance, d: RouteDeps): void {
  app.post(
    '/api/v1/sign',
    {
      onRequest: requireRole('clerk'),
      schema: {
        summary: 'Sign a file with the organisation key and get the signed file back',
        description: 'PDF → PAdES added incrementally; XML → enveloped XMLDSig; anything else → detached CAdES (.p7s). Header X-Signature-Id names the signature.',
        tags: ['signing'],
        'x-multipart': multipartDoc({ file: { description: 'the file to sign', binary: true }, format: { description: 'auto (default), pades, cades or xmldsig' } }, ['file']),
        response: responses(
          { 200: { description: 'the signed file (PDF) or the detached signature', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } }, 'application/pkcs7-signature': { schema: { type: 'string', format: 'binary' } } } } },
          [400, 413, 415, 422, 503, 507],
        ),
      },
    },
    async (req, reply) => {
      const form = await receiveForm(req, { dir: d.uploadDir, limits: d.limits, fileFields: { file: 1 }, inMemory: { perRequest: SIGN_IN_MEMORY_BYTES, shared: d.signMemory, perByte: SIGN_MEMORY_PER_BYTE } });
      const file = form.files['file']?.[0];
      if (!file) throw new AppError('VALIDATION_FAILED', 'no file', [{ field: 'file', problem: 'is required' }]);
      const format = (form.fields['format'] ?? 'auto') as Format;
      if (!FORMATS.includes(format)) throw new AppError('VALIDATION_FAILED', 'unknown format', [{ field: 'format', problem: 'auto, pades, cades or xmldsig' }]);
      const kind = await sniffUpload(file);
      if (kind === 'empty') throw new AppError('VALIDATION_FAILED', 'the file is empty', [{ field: 'file', problem: 'is empty' }]);
      if (format === 'pades' && kind !== 'pdf') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'PAdES needs a PDF file');
      if (format === 'xmldsig' && kind !== 'xml') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'XMLDSig needs an XML file');
      const started = process.hrtime.bigint();
      const out = await d.documents.sign({ file, format, actor: actorOf(req) }).finally(() => removeTemps(req));
      d.metrics.observeSign(Number(process.hrtime.bigint() - started) / 1e9);
      reply
        .header('content-type', out.contentType)
        .header('content-disposition', contentDisposition(out.filename))
        .header('x-signature-id', out.signatureId);
      if (out.bytes) return reply.header('content-length', String(out.bytes.length)).send(Buffer.from(out.bytes.buffer, out.bytes.byteOffset, out.bytes.length));
      const outPath = out.path!;
      trackTemp(req, outPath); // removed once the response has been sent (or the client left)
      const size = (await stat(outPath)).size;
      return reply.header('content-length', String(size)).send(createReadStream(outPath));
    },
  );

  app.post(
    '/api/v1/verify',
    {
      onRequest: requireRole('viewer'),
      schema: {
        summary: 'Verify the signatures of a file (a PDF, or a file and its detached signature)',
        tags: ['signing'],
        'x-multipart': multipartDoc({ file: { description: 'the signed file', binary: true }, signature: { description: 'detached CAdES signature (.p7s)', binary: true } }, ['file']),
        response: responses({ 200: VerifyResult }, [400, 413, 415, 422]),
      },
    },
    async (req) => {
      const form = await receiveForm(req, { dir: d.uploadDir, limits: d.limits, fileFields: { file: 1, signature: 1 } });
      const file = form.files['file']?.[0];
      if (!file) throw new AppError('VALIDATION_FAILED', 'no file', [{ field: 'file', problem: 'is required' }]);
      const signature = form.files['signature']?.[0];
      if (signature) {
        const kind = await sniffFile(signature.path);
        if (kind !== 'cms') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'the signature must be a DER CMS (.p7s)', { field: 'signature' });
      } else if ((await sniffFile(file.path)) !== 'pdf') {
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'give a PDF, or the file and its detached signature');
      }
      return d.documents.verify(file, signature).finally(() => removeTemps(req));
    },
  );
}
