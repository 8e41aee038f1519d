import { open } from 'node:fs/promises';
import type { SignUpload } from '../documents/types.js';

/**
 * File types by their first bytes, not by what the client claims: the claimed Content-Type is
 * whatever the browser guessed from the extension. Only the kinds the gateway acts on are told
 * apart; executables are recognised so they can be refused as attachments.
 */
export type Sniffed = 'pdf' | 'xml' | 'zip' | 'ole' | 'png' | 'jpeg' | 'gif' | 'tiff' | 'cms' | 'executable' | 'text' | 'binary' | 'empty';

export async function sniffFile(file: string): Promise<Sniffed> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return sniffBytes(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** The same for an upload, held in memory or on disk. */
export function sniffUpload(file: SignUpload): Promise<Sniffed> {
  return file.path === undefined ? Promise.resolve(sniffBytes(file.bytes.subarray(0, 1024))) : sniffFile(file.path);
}

export function sniffBytes(b: Buffer): Sniffed {
  if (b.length === 0) return 'empty';
  const starts = (sig: number[]) => sig.every((x, i) => b[i] === x);
  // The PDF header may follow junk bytes (readers accept it within the first 1024).
  if (b.includes('%PDF-')) return 'pdf';
  if (starts([0x4d, 0x5a]) || starts([0x7f, 0x45, 0x4c, 0x46]) || starts([0x23, 0x21]) || starts([0xcf, 0xfa, 0xed, 0xfe])) return 'executable';
  if (starts([0x50, 0x4b, 0x03, 0x04]) || starts([0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (starts([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole';
  if (starts([0x89, 0x50, 0x4e, 0x47])) return 'png';
  if (starts([0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts([0x47, 0x49, 0x46, 0x38])) return 'gif';
  if (starts([0x49, 0x49, 0x2a, 0x00]) || starts([0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  // DER SEQUENCE holding the signedData OID 1.2.840.113549.1.7.2 near the start: a CMS signature.
  if (b[0] === 0x30 && b.subarray(0, 32).includes(Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]))) return 'cms';
  // A multi-byte character may be cut at the end of the sample: leave the last bytes out.
  const text = (b.length >= 1024 ? b.subarray(0, b.length - 3) : b).toString('utf8').replace(/^\uFEFF/, '');
  const printable = !/[\u0000-\u0008\u000e-\u001f]/.test(text) && !text.includes('\uFFFD');
  if (printable && /^\s*<(\?xml|[A-Za-z_][\w:.-]*[\s>/])/.test(text)) return 'xml';
  if (printable) return 'text';
  return 'binary';
}
