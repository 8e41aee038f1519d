/**
 * What a file is, by its first bytes: the dispatch of `sign` and `verify` (`format=auto`).
 * PDF readers accept the header anywhere in the first 1024 bytes (ISO 32000-1 §7.5.2 note), so do we.
 */
export type FileKind = 'pdf' | 'xml' | 'cms' | 'other';

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
