import { AppError } from '../../errors.js';
import { PdfReader } from './reader.js';
import { signatureFields } from './signature-fields.js';
import { FileSource, BufferSource, type ByteSource } from './source.js';
import { pageCount } from './structure.js';

export interface PdfSignatureSummary {
  fieldName: string;
  subFilter: string | null;
  byteRange: [number, number, number, number] | null;
  /** /M as ISO 8601. */
  signedAt: string | null;
  reason: string | null;
}

export interface PdfInspection {
  /** Effective version ("1.4", "1.7"…): the header's, or the catalog's /Version when higher. */
  version: string;
  encrypted: boolean;
  pages: number;
  signatures: PdfSignatureSummary[];
}

/** Open a file or buffer as a reader, run `fn`, close. Encrypted files are refused. */
export async function withReader<T>(input: string | Uint8Array, fn: (r: PdfReader) => Promise<T>): Promise<T> {
  const src: ByteSource = typeof input === 'string' ? await openFile(input) : new BufferSource(input);
  try {
    const r = await PdfReader.open(src);
    // Encrypted strings and streams cannot be read or signed without the password; the
    // gateway never holds one, so such files are refused outright.
    if (r.encrypted) throw new AppError('MALFORMED_PDF', 'encrypted PDFs are not supported');
    return await fn(r);
  } finally {
    await src.close();
  }
}

async function openFile(path: string): Promise<FileSource> {
  try {
    return await FileSource.open(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('NOT_FOUND', 'PDF file not found', { path }, { cause: e });
    throw e;
  }
}

/**
 * Version, page count and signature fields of a PDF. Refuses encrypted or unparseable files with
 * AppError('MALFORMED_PDF'), so `encrypted` is always false in a result: it is there so callers
 * log one shape whatever the outcome.
 */
export async function inspectPdf(input: string | Uint8Array): Promise<PdfInspection> {
  return withReader(input, async (r) => ({
    version: await r.version(),
    encrypted: r.encrypted,
    pages: await pageCount(r),
    signatures: (await signatureFields(r)).map((s) => ({
      fieldName: s.fieldName,
      subFilter: s.subFilter,
      byteRange: s.byteRange,
      signedAt: s.signedAt,
      reason: s.reason,
    })),
  }));
}
