/**
 * What a file is, by its first bytes: the dispatch of `sign` and `verify` (`format=auto`).
 * PDF readers accept the header anywhere in the first 1024 bytes (ISO 32000-1 §7.5.2 note), so do we.
 */
import { open } from 'node:fs/promises';

export type FileKind = 'pdf' | 'xml' | 'cms' | 'other';

/** The first 1024 bytes sniffing looks at, of a file (by path) or of bytes already in memory. */
export async function readHead(x: string | Uint8Array): Promise<Uint8Array> {
  if (typeof x !== 'string') return x.subarray(0, 1024);
  const fh = await open(x, 'r');
  try {
    const buf = Buffer.alloc(1024);
    const { bytesRead } = await fh.read(buf, 0, 1024, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export function sniffFileKind(head: Uint8Array): FileKind {
  const first = Buffer.from(head.subarray(0, 1024));
  if (first.indexOf('%PDF-') !== -1) return 'pdf';
  let text = first.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.trimStart();
  if (text.startsWith('<?xml') || /^<[A-Za-z_][\w.:-]*[\s/>]/.test(text)) return 'xml';
  // DER SEQUENCE with a long length, then the signedData OID 1.2.840.113549.1.7.2.
  if (first[0] === 0x30 && first.includes(Buffer.from('06092a864886f70d010702', 'hex'))) return 'cms';
  return 'other';
}
