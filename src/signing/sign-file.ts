import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { AppError } from '../errors.js';
import type { SigningToken } from '../hsm/port.js';
import { createCadesSignature } from './cms-lazy.js';
import { readHead, sniffFileKind, type FileKind } from './file-kind.js';
import { signPdf, signPdfBuffer, verifyPdf } from './pdf/index.js';
import { checkPriorSignature } from './prior-signature.js';
import type { SignatureFormat, TrustStore } from './types.js';

/**
 * `sign` for every input, the same for `POST /api/v1/sign` and the CLI: PDF → PAdES incremental
 * update, XML → enveloped XMLDSig, anything else → detached CAdES `.p7s`. `format` forces a
 * branch (a PDF can be CAdES-signed on request; XMLDSig of a non-XML file is refused).
 */
export type SignFormatChoice = 'auto' | SignatureFormat;

export interface SignFileOptions {
  /** The input, in memory (HTTP upload) or as a path (CLI, large files: streamed). */
  bytes?: Uint8Array;
  path?: string;
  format?: SignFormatChoice;
  token: SigningToken;
  /** With a path input, where the signed PDF goes (PDF only; otherwise bytes are returned). */
  output?: string;
  /** `signing.requirePriorSignature` and the anchors it checks against (PDF only). */
  policy?: { requirePriorSignature: boolean; trust: TrustStore };
  reason?: string;
  fieldName?: string;
  signingTime?: Date;
}

export interface SignFileResult {
  format: SignatureFormat;
  contentType: 'application/pdf' | 'application/pkcs7-signature' | 'application/xml';
  /** Suffix for the output file name: the signed PDF/XML keeps its type; CAdES adds `.p7s`. */
  suffix: '.pdf' | '.p7s' | '.xml';
  /** For the `X-Signature-Id` header: the PDF field name, or an id derived from the signature. */
  signatureId: string;
  /** The signed output, unless it was written to `output`. */
  bytes: Uint8Array | null;
  output: string | null;
}

function chooseFormat(kind: FileKind, wanted: SignFormatChoice): SignatureFormat {
  if (wanted === 'auto') return kind === 'pdf' ? 'pades' : kind === 'xml' ? 'xmldsig' : 'cades';
  if (wanted === 'pades' && kind !== 'pdf') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'format pades needs a PDF file');
  if (wanted === 'xmldsig' && kind !== 'xml') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'format xmldsig needs an XML file');
  return wanted;
}

function idOf(prefix: string, signature: Uint8Array): string {
  return `${prefix}-${createHash('sha256').update(signature).digest('hex').slice(0, 24)}`;
}

async function sha256OfInput(opts: SignFileOptions): Promise<Uint8Array> {
  const h = createHash('sha256');
  if (opts.bytes) h.update(opts.bytes);
  else for await (const chunk of createReadStream(opts.path!)) h.update(chunk as Buffer);
  return new Uint8Array(h.digest());
}

export async function signFile(opts: SignFileOptions): Promise<SignFileResult> {
  if (!opts.bytes === !opts.path) throw new AppError('BAD_REQUEST', 'give exactly one of bytes or path');
  const format = chooseFormat(sniffFileKind(await readHead(opts.bytes ?? opts.path!)), opts.format ?? 'auto');

  if (format === 'pades') {
    const orgCert = await opts.token.certificate();
    if (opts.policy?.requirePriorSignature) {
      checkPriorSignature(await verifyPdf(opts.bytes ?? opts.path!, opts.policy.trust, { orgCert }), orgCert);
    }
    const pdfOpts = {
      ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
      ...(opts.fieldName !== undefined ? { fieldName: opts.fieldName } : {}),
      ...(opts.signingTime !== undefined ? { signingTime: opts.signingTime } : {}),
    };
    const base = { format, contentType: 'application/pdf', suffix: '.pdf' } as const;
    if (opts.path && opts.output) {
      const r = await signPdf({ input: opts.path, output: opts.output, token: opts.token, ...pdfOpts });
      return { ...base, signatureId: r.signatureId, bytes: null, output: opts.output };
    }
    const r = await signPdfBuffer(opts.bytes ?? (await readFile(opts.path!)), opts.token, pdfOpts);
    return { ...base, signatureId: r.signatureId, bytes: r.signed, output: null };
  }

  if (format === 'xmldsig') {
    const xml = opts.bytes ? Buffer.from(opts.bytes).toString('utf8') : await readFile(opts.path!, 'utf8');
    // Loaded on first use: xmldsigjs and its dependencies cost up to ~1 s and 10–20 MB at start-up,
    // and most gateways never XML-sign through this path.
    const { signXmlEnveloped } = await import('./xmldsig-sign.js');
    const signed = new TextEncoder().encode(await signXmlEnveloped(xml, opts.token));
    return finish(opts, { format, contentType: 'application/xml', suffix: '.xml', signatureId: idOf('xmldsig', signed), bytes: signed, output: null });
  }

  const cms = await createCadesSignature({ digest: await sha256OfInput(opts), token: opts.token, signingTime: opts.signingTime ?? new Date() });
  return finish(opts, { format, contentType: 'application/pkcs7-signature', suffix: '.p7s', signatureId: idOf('cades', cms), bytes: cms, output: null });
}

async function finish(opts: SignFileOptions, r: SignFileResult): Promise<SignFileResult> {
  if (!opts.output || !r.bytes) return r;
  await writeFile(opts.output, r.bytes);
  return { ...r, bytes: null, output: opts.output };
}
