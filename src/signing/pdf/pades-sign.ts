import { createHash } from 'node:crypto';
import { copyFile, open, rename, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { AppError } from '../../errors.js';
import { buildIncrementalUpdate } from './incremental-writer.js';
import { PdfRef } from './objects.js';
import { PdfReader } from './reader.js';
import { BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_WIDTH, planSignature } from './signature-plan.js';
import { BufferSource, FileSource, digestByteRange, type ByteSource } from './source.js';

/**
 * PAdES signing by incremental update, file to file. Memory stays flat whatever the PDF size:
 * the original is copied with copyFile (kernel copy, no buffer in JS), the update (a few KB plus
 * the placeholder) is appended, the ByteRange is hashed by streaming the output in 1 MiB chunks,
 * and the CMS hex is written into the placeholder in place. Nothing else changes after hashing.
 *
 * `signPdfBytes` is the same update for a PDF already in memory (an HTTP upload of a few MB):
 * parsing from a buffer instead of dozens of small file reads, and no output file to copy, fsync
 * and read back, is most of what one `POST /api/v1/sign` of a 200 KB PDF used to cost.
 */
export type ByteRange = [number, number, number, number];

/** Builds the detached CMS over the SHA-256 digest of the ByteRange (the HSM signs inside). */
export type CmsBuilder = (digest: Uint8Array) => Promise<Uint8Array>;

/** What every way of signing a PDF takes besides the bytes. */
export interface PadesSignCommon {
  buildCms: CmsBuilder;
  fieldName?: string | undefined;
  signingTime?: Date | undefined;
  reason?: string | undefined;
  /** /Contents placeholder size in bytes (default 16 KiB). */
  contentsBytes?: number | undefined;
}

export interface PadesFileOptions extends PadesSignCommon {
  input: string;
  output: string;
}

export interface PadesResult {
  /** The new signature field's fully qualified name, unique in the document. */
  signatureId: string;
  byteRange: ByteRange;
}

export const DEFAULT_CONTENTS_BYTES = 16 * 1024;

export async function signPdfFile(opts: PadesFileOptions): Promise<PadesResult> {
  if (resolve(opts.input) === resolve(opts.output)) {
    throw new AppError('BAD_REQUEST', 'the signed PDF must go to another file than the original');
  }
  // Built under a temporary name and renamed once complete and fsync'd: `output` never holds a
  // half-signed file, even after a crash.
  const partial = `${opts.output}.partial-${process.pid}`;
  try {
    const result = await signOnce(opts, partial, opts.contentsBytes ?? DEFAULT_CONTENTS_BYTES, true);
    await rename(partial, opts.output);
    await syncDir(dirname(resolve(opts.output)));
    return result;
  } catch (e) {
    await unlink(partial).catch(() => undefined);
    throw e;
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The update to append, with the /ByteRange already filled in and the /Contents still zeros. */
interface PreparedUpdate {
  baseSize: number;
  update: Buffer;
  /** Offset in `update` of the `<` that opens the /Contents hex string. */
  contentsAt: number;
  byteRange: ByteRange;
  fieldName: string;
}

/** Parses what the update needs from `src` (xref chain, catalog, AcroForm, page 1) and builds it. */
async function prepareUpdate(src: ByteSource, opts: PadesSignCommon, contentsBytes: number): Promise<PreparedUpdate> {
  const reader = await PdfReader.open(src);
  if (reader.encrypted) throw new AppError('MALFORMED_PDF', 'encrypted PDFs cannot be signed');
  const plan = await planSignature(reader, { fieldName: opts.fieldName, signingTime: opts.signingTime ?? new Date(), reason: opts.reason, contentsBytes });
  const baseSize = src.size;
  const last = (await src.read(baseSize - 1, 1))[0];
  const built = buildIncrementalUpdate({
    baseSize,
    baseEndsWithEol: last === 0x0a || last === 0x0d,
    prevStartxref: reader.xref.startxref,
    kind: reader.xref.lastKind,
    prevSize: reader.xref.size,
    root: reader.trailer.get('Root') as PdfRef,
    info: reader.trailer.get('Info'),
    id: reader.trailer.get('ID'),
    objects: plan.objects,
  });
  const update = built.bytes;
  const sigAt = (built.offsets.get(plan.sigNum) as number) - baseSize;
  const brAt = update.indexOf(`/ByteRange ${BYTE_RANGE_PLACEHOLDER}`, sigAt, 'latin1') + '/ByteRange '.length;
  const contentsAt = update.indexOf('/Contents <', sigAt, 'latin1') + '/Contents '.length;
  const contentsEnd = contentsAt + contentsBytes * 2 + 2;
  const total = baseSize + update.length;
  const byteRange: ByteRange = [0, baseSize + contentsAt, baseSize + contentsEnd, total - baseSize - contentsEnd];
  const brText = `[${byteRange.join(' ')}]`.padEnd(BYTE_RANGE_WIDTH, ' ');
  update.write(brText, brAt, 'latin1');
  return { baseSize, update, contentsAt, byteRange, fieldName: plan.fieldName };
}

/** The CMS as hex, or null when it does not fit the placeholder (the caller redoes it bigger). */
function contentsHex(cms: Uint8Array, contentsBytes: number, mayRetry: boolean): Buffer | null {
  if (cms.length <= contentsBytes) return Buffer.from(Buffer.from(cms).toString('hex'), 'latin1');
  if (!mayRetry) throw new AppError('INTERNAL', `CMS of ${cms.length} bytes does not fit the placeholder`);
  return null;
}

/** Placeholder size for the second attempt: room to spare over the CMS that did not fit. */
const roomFor = (cms: Uint8Array): number => cms.length + 4096;

async function signOnce(opts: PadesFileOptions, outPath: string, contentsBytes: number, mayRetry: boolean): Promise<PadesResult> {
  const src = await FileSource.open(opts.input);
  let p: PreparedUpdate;
  try {
    p = await prepareUpdate(src, opts, contentsBytes);
  } finally {
    await src.close();
  }

  await copyFile(opts.input, outPath);
  const out = await open(outPath, 'r+');
  try {
    // The copy must be the bytes we parsed: a file replaced meanwhile would be signed blind.
    if ((await out.stat()).size !== p.baseSize) throw new AppError('CONFLICT', 'the input PDF changed while signing');
    await out.write(p.update, 0, p.update.length, p.baseSize);
    const outSrc = await FileSource.open(outPath);
    let digest: Uint8Array;
    try {
      digest = await digestByteRange(outSrc, p.byteRange);
    } finally {
      await outSrc.close();
    }
    const cms = await opts.buildCms(digest);
    const hex = contentsHex(cms, contentsBytes, mayRetry);
    if (!hex) {
      await out.close().catch(() => undefined);
      // Rare (very long chain): redo with room to spare; the HSM signs a second time.
      return await signOnce(opts, outPath, roomFor(cms), false);
    }
    await out.write(hex, 0, hex.length, p.baseSize + p.contentsAt + 1);
    await out.sync();
  } finally {
    await out.close().catch(() => undefined);
  }
  return { signatureId: p.fieldName, byteRange: p.byteRange };
}

export interface PadesBytesOptions extends PadesSignCommon {
  /** The whole original PDF. Only for files small enough to hold (HTTP uploads of a few MB). */
  bytes: Uint8Array;
}

/**
 * The same signature, in memory: no file is read or written. The signed PDF is `bytes` followed
 * by `update` (returned apart so the caller can send both without copying the original); the
 * digest is taken over exactly those bytes, so what is sent is what was signed.
 */
export async function signPdfBytes(opts: PadesBytesOptions, contentsBytes = opts.contentsBytes ?? DEFAULT_CONTENTS_BYTES, mayRetry = true): Promise<PadesResult & { update: Buffer }> {
  const p = await prepareUpdate(new BufferSource(opts.bytes), opts, contentsBytes);
  const h = createHash('sha256');
  h.update(opts.bytes);
  // ByteRange = the whole original, then the update around the /Contents hex string.
  h.update(p.update.subarray(0, p.contentsAt));
  h.update(p.update.subarray(p.byteRange[2] - p.baseSize));
  const cms = await opts.buildCms(new Uint8Array(h.digest()));
  const hex = contentsHex(cms, contentsBytes, mayRetry);
  if (!hex) return signPdfBytes(opts, roomFor(cms), false);
  p.update.set(hex, p.contentsAt + 1);
  return { signatureId: p.fieldName, byteRange: p.byteRange, update: p.update };
}
