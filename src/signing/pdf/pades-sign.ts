import { copyFile, open, rename, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { AppError } from '../../errors.js';
import { buildIncrementalUpdate } from './incremental-writer.js';
import { PdfRef } from './objects.js';
import { PdfReader } from './reader.js';
import { BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_WIDTH, planSignature } from './signature-plan.js';
import { FileSource, digestByteRange } from './source.js';

/**
 * PAdES signing by incremental update, file to file. Memory stays flat whatever the PDF size:
 * the original is copied with copyFile (kernel copy, no buffer in JS), the update (a few KB plus
 * the placeholder) is appended, the ByteRange is hashed by streaming the output in 1 MiB chunks,
 * and the CMS hex is written into the placeholder in place. Nothing else changes after hashing.
 */
export type ByteRange = [number, number, number, number];

/** Builds the detached CMS over the SHA-256 digest of the ByteRange (the HSM signs inside). */
export type CmsBuilder = (digest: Uint8Array) => Promise<Uint8Array>;

export interface PadesFileOptions {
  input: string;
  output: string;
  buildCms: CmsBuilder;
  fieldName?: string | undefined;
  signingTime?: Date | undefined;
  reason?: string | undefined;
  /** /Contents placeholder size in bytes (default 16 KiB). */
  contentsBytes?: number | undefined;
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

async function signOnce(opts: PadesFileOptions, outPath: string, contentsBytes: number, mayRetry: boolean): Promise<PadesResult> {
  const signingTime = opts.signingTime ?? new Date();
  const src = await FileSource.open(opts.input);
  let baseSize: number;
  let update: Buffer;
  let contentsAt: number;
  let byteRange: ByteRange;
  let fieldName: string;
  try {
    const reader = await PdfReader.open(src);
    if (reader.encrypted) throw new AppError('MALFORMED_PDF', 'encrypted PDFs cannot be signed');
    const plan = await planSignature(reader, { fieldName: opts.fieldName, signingTime, reason: opts.reason, contentsBytes });
    fieldName = plan.fieldName;
    baseSize = src.size;
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
    update = built.bytes;
    const sigAt = (built.offsets.get(plan.sigNum) as number) - baseSize;
    const brAt = update.indexOf(`/ByteRange ${BYTE_RANGE_PLACEHOLDER}`, sigAt, 'latin1') + '/ByteRange '.length;
    contentsAt = update.indexOf('/Contents <', sigAt, 'latin1') + '/Contents '.length;
    const contentsEnd = contentsAt + contentsBytes * 2 + 2;
    const total = baseSize + update.length;
    byteRange = [0, baseSize + contentsAt, baseSize + contentsEnd, total - baseSize - contentsEnd];
    const brText = `[${byteRange.join(' ')}]`.padEnd(BYTE_RANGE_WIDTH, ' ');
    update.write(brText, brAt, 'latin1');
  } finally {
    await src.close();
  }

  await copyFile(opts.input, outPath);
  const out = await open(outPath, 'r+');
  try {
    // The copy must be the bytes we parsed: a file replaced meanwhile would be signed blind.
    if ((await out.stat()).size !== baseSize) throw new AppError('CONFLICT', 'the input PDF changed while signing');
    await out.write(update, 0, update.length, baseSize);
    const outSrc = await FileSource.open(outPath);
    let digest: Uint8Array;
    try {
      digest = await digestByteRange(outSrc, byteRange);
    } finally {
      await outSrc.close();
    }
    const cms = await opts.buildCms(digest);
    if (cms.length > contentsBytes) {
      if (!mayRetry) throw new AppError('INTERNAL', `CMS of ${cms.length} bytes does not fit the placeholder`);
      await out.close().catch(() => undefined);
      // Rare (very long chain): redo with room to spare; the HSM signs a second time.
      return await signOnce(opts, outPath, cms.length + 4096, false);
    }
    const hex = Buffer.from(Buffer.from(cms).toString('hex'), 'latin1');
    await out.write(hex, 0, hex.length, baseSize + contentsAt + 1);
    await out.sync();
  } finally {
    await out.close().catch(() => undefined);
  }
  return { signatureId: fieldName, byteRange };
}
