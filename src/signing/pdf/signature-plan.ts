import { AppError } from '../../errors.js';
import { PdfDict, PdfName, PdfRef, asInt, serialize, textString, type PdfObject } from './objects.js';
import type { PdfReader } from './reader.js';
import { firstPage, formFields } from './structure.js';
import type { UpdateObject } from './incremental-writer.js';
import { pdfDate } from './pdf-date.js';

/**
 * Decides which objects the signing update writes (spec/signatures.md, "Notes on the incremental
 * update"): the signature dictionary, an invisible widget on page 1, page 1's /Annots (the page
 * itself when the array is inline, else the array object), and the AcroForm (updated in place,
 * or created through an updated catalog) with /SigFlags 3.
 */
export const BYTE_RANGE_WIDTH = 48;
export const BYTE_RANGE_PLACEHOLDER = '[0 0 0 0]'.padEnd(BYTE_RANGE_WIDTH, ' ');

export interface PlanOptions {
  fieldName?: string | undefined;
  signingTime: Date;
  reason?: string | undefined;
  /** Size of the /Contents placeholder in bytes (written as twice as many hex digits). */
  contentsBytes: number;
}

export interface SignaturePlan {
  objects: UpdateObject[];
  sigNum: number;
  fieldName: string;
}

export async function planSignature(r: PdfReader, opts: PlanOptions): Promise<SignaturePlan> {
  const cat = await r.catalog();
  const rootRef = r.trailer.get('Root') as PdfRef;
  const page = await firstPage(r);
  const existing = new Set((await formFields(r)).map((f) => f.name));
  const fieldName = chooseFieldName(existing, opts.fieldName);

  let next = r.xref.size;
  const sigRef = new PdfRef(next++, 0);
  const widgetRef = new PdfRef(next++, 0);
  const objects: UpdateObject[] = [];
  const write = (ref: PdfRef, value: PdfObject): void => {
    objects.push({ num: ref.num, gen: ref.gen, body: serialize(value) });
  };

  objects.push({ num: sigRef.num, gen: 0, body: signatureDictionary(opts) });
  const widget = new PdfDict()
    .set('Type', new PdfName('Annot'))
    .set('Subtype', new PdfName('Widget'))
    .set('FT', new PdfName('Sig'))
    .set('Rect', [0, 0, 0, 0])
    // 132 = Print (4) + Locked (128): invisible, and not to be moved or deleted by viewers.
    .set('F', 132)
    .set('P', page.ref)
    .set('T', textString(fieldName))
    .set('V', sigRef);
  write(widgetRef, widget);

  // Page 1's /Annots: an indirect array is updated as its own object, so the page is untouched.
  const annots = page.dict.get('Annots');
  if (annots instanceof PdfRef) {
    const arr = await r.resolve(annots);
    if (!Array.isArray(arr)) throw new AppError('MALFORMED_PDF', 'page /Annots does not point at an array');
    write(refWithGen(r, annots.num), [...arr, widgetRef]);
  } else {
    const arr = Array.isArray(annots) ? annots : [];
    write(refWithGen(r, page.ref.num), page.dict.clone().set('Annots', [...arr, widgetRef]));
  }

  // The AcroForm: indirect → rewrite it; inline or absent → rewrite the catalog.
  const acro = cat.get('AcroForm');
  if (acro instanceof PdfRef) {
    const form = await r.resolveDict(acro);
    if (!form) throw new AppError('MALFORMED_PDF', 'catalog /AcroForm does not point at a dictionary');
    write(refWithGen(r, acro.num), await withField(r, form, widgetRef, write));
  } else {
    let form: PdfDict;
    if (acro instanceof PdfDict) form = await withField(r, acro, widgetRef, write);
    else {
      form = new PdfDict().set('Fields', [widgetRef]).set('SigFlags', 3);
    }
    const formRef = acro instanceof PdfDict ? null : new PdfRef(next++, 0);
    if (formRef) write(formRef, form);
    write(refWithGen(r, rootRef.num), cat.clone().set('AcroForm', formRef ?? form));
  }
  return { objects, sigNum: sigRef.num, fieldName };
}

/** The form with the new field added to /Fields (an indirect /Fields array is rewritten itself). */
async function withField(
  r: PdfReader,
  form: PdfDict,
  field: PdfRef,
  write: (ref: PdfRef, value: PdfObject) => void,
): Promise<PdfDict> {
  const out = form.clone();
  const fields = form.get('Fields');
  if (fields instanceof PdfRef) {
    const arr = await r.resolve(fields);
    if (!Array.isArray(arr)) throw new AppError('MALFORMED_PDF', 'AcroForm /Fields does not point at an array');
    write(refWithGen(r, fields.num), [...arr, field]);
  } else {
    out.set('Fields', [...(Array.isArray(fields) ? fields : []), field]);
  }
  const flags = asInt(await r.resolve(form.get('SigFlags'))) ?? 0;
  out.set('SigFlags', flags | 3);
  return out;
}

/** An object rewritten in an update keeps its number and generation (0 if it was compressed). */
function refWithGen(r: PdfReader, num: number): PdfRef {
  const e = r.xref.entries.get(num);
  return new PdfRef(num, e?.type === 'offset' ? e.gen : 0);
}

function chooseFieldName(existing: Set<string>, wanted: string | undefined): string {
  if (wanted !== undefined) {
    if (wanted.length === 0 || wanted.includes('.')) {
      throw new AppError('BAD_REQUEST', 'a signature field name must be non-empty and contain no "."');
    }
    if (existing.has(wanted)) throw new AppError('CONFLICT', `the PDF already has a field named "${wanted}"`);
    return wanted;
  }
  for (let k = 1; ; k++) if (!existing.has(`Signature${k}`)) return `Signature${k}`;
}

/**
 * The signature dictionary with fixed-width placeholders: /ByteRange is patched once offsets are
 * known, /Contents receives the CMS hex after hashing. The signing time goes in /M (the CMS has
 * no signing-time attribute, per spec/signatures.md).
 */
function signatureDictionary(opts: PlanOptions): string {
  let s =
    '<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached' +
    ` /M ${serialize(textString(pdfDate(opts.signingTime)))}`;
  if (opts.reason) s += ` /Reason ${serialize(textString(opts.reason))}`;
  s += ` /ByteRange ${BYTE_RANGE_PLACEHOLDER} /Contents <${'0'.repeat(opts.contentsBytes * 2)}>>>`;
  return s;
}
