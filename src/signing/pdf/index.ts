import type { SigningToken } from '../../hsm/port.js';
import type { TrustStore, VerifiedSignature } from '../types.js';
import { createCadesSignature, verifyCadesDetached } from '../cms-lazy.js';
import { DEFAULT_CONTENTS_BYTES, signPdfBytes, signPdfFile, type ByteRange, type CmsBuilder, type PadesResult } from './pades-sign.js';
import { verifySignatures, type CmsVerifier } from './pades-verify.js';
import { withReader } from './inspect.js';

/**
 * PAdES for the gateway: sign a PDF by incremental update (ETSI.CAdES.detached, key in the HSM)
 * and verify the signatures of any PDF. Built on a lean reader of our own (see reader.ts for why)
 * so a large PDF is streamed, never held in memory.
 */
export { inspectPdf, type PdfInspection, type PdfSignatureSummary } from './inspect.js';
export type { ByteRange, PadesResult, CmsBuilder, CmsVerifier };

export interface SignPdfOptions {
  input: string;
  output: string;
  token: SigningToken;
  /** Name of the new signature field; default `SignatureN`, the first free N. */
  fieldName?: string;
  /** Goes into /M (the CMS carries no signing time). Default: now. */
  signingTime?: Date;
  reason?: string;
  /** /Contents placeholder in bytes; default 16 KiB, raised when the certificate chain is long. */
  contentsBytes?: number;
}

// Room for the CMS around the certificates: SignerInfo, attributes, a 4096-bit signature.
const CMS_OVERHEAD = 4096;

/** Placeholder size: the caller's or the default, but never smaller than the chain needs. */
async function placeholderFor(token: SigningToken, wanted: number | undefined): Promise<number> {
  const cert = await token.certificate();
  const chain = await token.chain();
  const needed = cert.length + chain.reduce((n, c) => n + c.length, 0) + CMS_OVERHEAD;
  return Math.max(wanted ?? DEFAULT_CONTENTS_BYTES, needed);
}

export async function signPdf(opts: SignPdfOptions): Promise<PadesResult> {
  const buildCms: CmsBuilder = (digest) => createCadesSignature({ digest, token: opts.token, signingTime: null });
  return signPdfFile({
    input: opts.input,
    output: opts.output,
    buildCms,
    fieldName: opts.fieldName,
    signingTime: opts.signingTime,
    reason: opts.reason,
    contentsBytes: await placeholderFor(opts.token, opts.contentsBytes),
  });
}

/**
 * In memory, for inputs small enough to hold (HTTP uploads): no file is read or written. The same
 * update as `signPdf` (prepared by the same code); `signed` is the original followed by `update`.
 */
export async function signPdfBuffer(
  bytes: Uint8Array,
  token: SigningToken,
  opts: Omit<SignPdfOptions, 'input' | 'output' | 'token'> = {},
): Promise<PadesResult & { signed: Buffer; update: Buffer }> {
  const buildCms: CmsBuilder = (digest) => createCadesSignature({ digest, token, signingTime: null });
  const r = await signPdfBytes({
    bytes,
    buildCms,
    fieldName: opts.fieldName,
    signingTime: opts.signingTime,
    reason: opts.reason,
    contentsBytes: await placeholderFor(token, opts.contentsBytes),
  });
  return { ...r, signed: Buffer.concat([bytes, r.update]) };
}

/**
 * Verify every signature of a PDF (file path or bytes). `orgCert` (DER) marks the signatures made
 * with the organisation key. Encrypted or unparseable files: AppError('MALFORMED_PDF').
 */
export async function verifyPdf(
  input: string | Uint8Array,
  trust: TrustStore,
  opts: { orgCert?: Uint8Array } = {},
): Promise<VerifiedSignature[]> {
  return verifyPdfWith(input, trust, verifyCadesDetached, opts.orgCert);
}

/** The same with another CMS verifier (the composition root or tests may inject one). */
export async function verifyPdfWith(
  input: string | Uint8Array,
  trust: TrustStore,
  verifyCms: CmsVerifier,
  orgCert?: Uint8Array,
): Promise<VerifiedSignature[]> {
  return withReader(input, (r) => verifySignatures(r, trust, verifyCms, orgCert));
}

export { signPdfFile, signPdfBytes };
