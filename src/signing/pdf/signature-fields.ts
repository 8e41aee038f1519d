import { PdfDict, PdfString, asInt, asName } from './objects.js';
import { parsePdfDate } from './pdf-date.js';
import type { PdfReader } from './reader.js';
import { formFields } from './structure.js';

/** What a signed signature field says about itself, before any cryptography. */
export interface PdfSignatureField {
  fieldName: string;
  /** e.g. "ETSI.CAdES.detached", "adbe.pkcs7.detached"; null when missing. */
  subFilter: string | null;
  /** The four integers of /ByteRange, or null when missing or malformed. */
  byteRange: [number, number, number, number] | null;
  /** Raw bytes of /Contents (CMS plus zero padding), or null. */
  contents: Uint8Array | null;
  /** /M as ISO 8601, or null. */
  signedAt: string | null;
  reason: string | null;
}

/** Every signature field that holds a signature (/FT /Sig with a /V dictionary), in form order. */
export async function signatureFields(r: PdfReader): Promise<PdfSignatureField[]> {
  const out: PdfSignatureField[] = [];
  for (const f of await formFields(r)) {
    if (f.type !== 'Sig') continue;
    const v = await r.resolve(f.dict.get('V'));
    if (!(v instanceof PdfDict)) continue;
    const br = await r.resolve(v.get('ByteRange'));
    let byteRange: PdfSignatureField['byteRange'] = null;
    if (Array.isArray(br) && br.length === 4) {
      const nums = br.map((x) => asInt(x));
      if (nums.every((x) => x !== undefined && x >= 0)) byteRange = nums as [number, number, number, number];
    }
    const contents = await r.resolve(v.get('Contents'));
    const m = await r.resolve(v.get('M'));
    const reason = await r.resolve(v.get('Reason'));
    const date = m instanceof PdfString ? parsePdfDate(m.text()) : null;
    out.push({
      fieldName: f.name,
      subFilter: asName(await r.resolve(v.get('SubFilter'))) ?? null,
      byteRange,
      contents: contents instanceof PdfString ? contents.bytes : null,
      signedAt: date ? date.toISOString() : null,
      reason: reason instanceof PdfString ? reason.text() : null,
    });
  }
  return out;
}
