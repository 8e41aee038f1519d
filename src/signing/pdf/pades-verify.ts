import { Readable } from 'node:stream';
import type { CadesVerifyOptions } from '../cms-verify.js';
import type { TrustStore, VerifiedSignature } from '../types.js';
import { readCmsInfo } from '../cms-lazy.js';
import type { PdfReader } from './reader.js';
import { signatureFields, type PdfSignatureField } from './signature-fields.js';
import { digestByteRange, type ByteSource } from './source.js';

/**
 * PDF signature verification (spec/signatures.md "Verified"): for each signature field, the
 * ByteRange must start at 0 and skip exactly the /Contents hex string of that signature; the two
 * ranges are hashed by streaming and the CMS is checked over that digest by the CMS verifier. A
 * range ending before the end of the file means later incremental updates (`modifiedAfter`).
 */
export type CmsVerifier = (opts: CadesVerifyOptions) => Promise<VerifiedSignature>;

// Detached CMS in both flavours; adbe.pkcs7.sha1 (a digest as content) is deprecated and refused.
const SUPPORTED = new Set(['ETSI.CAdES.detached', 'adbe.pkcs7.detached']);
// A /Contents gap larger than this is not a signature placeholder any tool writes.
const MAX_GAP = 4 << 20;

export async function verifySignatures(
  r: PdfReader,
  trust: TrustStore,
  verifyCms: CmsVerifier,
  orgCert?: Uint8Array,
): Promise<VerifiedSignature[]> {
  const out: VerifiedSignature[] = [];
  for (const field of await signatureFields(r)) out.push(await verifyOne(r.src, field, trust, verifyCms, orgCert));
  return out;
}

async function verifyOne(
  src: ByteSource,
  f: PdfSignatureField,
  trust: TrustStore,
  verifyCms: CmsVerifier,
  orgCert: Uint8Array | undefined,
): Promise<VerifiedSignature> {
  const problems: string[] = [];
  const invalid = (why: string): VerifiedSignature => ({
    format: 'pades',
    signer: null,
    signedAt: f.signedAt,
    integrity: 'invalid',
    coversWholeDocument: false,
    certificateTrusted: false,
    modifiedAfter: false,
    problems: [...problems, why],
  });
  if (f.subFilter === null || !SUPPORTED.has(f.subFilter)) return invalid(`unsupported /SubFilter ${f.subFilter ?? '(none)'}`);
  const br = f.byteRange;
  if (!br) return invalid('missing or malformed /ByteRange');
  if (!f.contents) return invalid('missing /Contents');
  const [a, b, c, d] = br;
  const gapStart = a + b;
  if (a !== 0) problems.push('/ByteRange does not start at 0');
  if (gapStart > c || c + d > src.size) return invalid('/ByteRange lies outside the file');
  const gapOk = c - gapStart <= MAX_GAP && (await gapIsContents(src, gapStart, c, f.contents));
  if (!gapOk) problems.push('/ByteRange gap is not exactly the /Contents hex string');
  const modifiedAfter = c + d < src.size;
  const coversWholeDocument = a === 0 && gapOk && !modifiedAfter;

  let info;
  try {
    info = await readCmsInfo(f.contents);
  } catch (e) {
    return invalid(`unreadable CMS: ${(e as Error).message}`);
  }
  if (!info.digestAlgorithm) return invalid('unsupported digest algorithm in the CMS');
  let cms: VerifiedSignature;
  try {
    const at = f.signedAt ? new Date(f.signedAt) : undefined;
    // SHA-256 (ours, pdfsig's default) is hashed here; any other digest is left to the CMS
    // verifier, fed the same two ranges as a stream.
    const content =
      info.digestAlgorithm === 'sha256' ? { digest: await digestByteRange(src, br) } : { content: Readable.from(byteRangeChunks(src, br)) };
    cms = await verifyCms({
      cms: info.der,
      ...content,
      trust,
      ...(at ? { at } : {}),
      ...(orgCert ? { organisationCert: orgCert } : {}),
    });
  } catch (e) {
    return invalid(`CMS verification failed: ${(e as Error).message}`);
  }
  const byOrganisationKey =
    orgCert !== undefined && info.signerCert !== null && Buffer.from(orgCert).equals(Buffer.from(info.signerCert));
  return {
    ...cms,
    format: 'pades',
    signedAt: f.signedAt ?? cms.signedAt,
    integrity: cms.integrity === 'valid' && gapOk && a === 0 ? 'valid' : 'invalid',
    coversWholeDocument,
    modifiedAfter,
    byOrganisationKey,
    problems: [...(cms.problems ?? []), ...problems],
  };
}

/** The excluded bytes must be `<hex>` decoding to this signature's own /Contents, nothing else. */
async function gapIsContents(src: ByteSource, start: number, end: number, contents: Uint8Array): Promise<boolean> {
  const gap = Buffer.from(await src.read(start, end - start));
  if (gap.length < 2 || gap[0] !== 0x3c || gap[gap.length - 1] !== 0x3e) return false;
  const hex = gap.subarray(1, gap.length - 1).toString('latin1');
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) return false;
  return Buffer.from(hex, 'hex').equals(Buffer.from(contents));
}

async function* byteRangeChunks(src: ByteSource, br: readonly [number, number, number, number]): AsyncGenerator<Uint8Array> {
  for (const [start, length] of [[br[0], br[1]], [br[2], br[3]]] as const) {
    for (let pos = start; pos < start + length; ) {
      const chunk = await src.read(pos, Math.min(1 << 20, start + length - pos));
      if (chunk.length === 0) return;
      yield chunk;
      pos += chunk.length;
    }
  }
}
