import { AppError } from '../../errors.js';
import { PdfDict, PdfRef, PdfString, asInt, asName, type PdfObject } from './objects.js';
import type { PdfReader } from './reader.js';

/**
 * Document structure the signer and verifier need: the page tree (§7.7.3) and the form fields
 * (§12.7.3), read through the lean reader.
 */
export async function pageCount(r: PdfReader): Promise<number> {
  const cat = await r.catalog();
  const pages = await r.resolveDict(cat.get('Pages'));
  if (!pages) throw new AppError('MALFORMED_PDF', 'catalog has no /Pages');
  const n = asInt(await r.resolve(pages.get('Count')));
  if (n === undefined || n < 0) throw new AppError('MALFORMED_PDF', 'page tree has no valid /Count');
  return n;
}

/** Reference and dictionary of page 1: the first leaf of the page tree, depth first. */
export async function firstPage(r: PdfReader): Promise<{ ref: PdfRef; dict: PdfDict }> {
  const cat = await r.catalog();
  const root = cat.get('Pages');
  if (!(root instanceof PdfRef)) throw new AppError('MALFORMED_PDF', 'catalog /Pages is not a reference');
  const seen = new Set<number>();
  const visit = async (ref: PdfRef, depth: number): Promise<{ ref: PdfRef; dict: PdfDict } | null> => {
    if (seen.has(ref.num) || depth > 64) throw new AppError('MALFORMED_PDF', 'page tree has a cycle');
    seen.add(ref.num);
    const node = await r.resolveDict(ref);
    if (!node) throw new AppError('MALFORMED_PDF', `page tree node ${ref.num} is not a dictionary`);
    const type = asName(node.get('Type'));
    const kids = await r.resolve(node.get('Kids'));
    if (type === 'Page' || (type === undefined && !Array.isArray(kids))) return { ref, dict: node };
    if (!Array.isArray(kids)) return null;
    for (const kid of kids) {
      if (!(kid instanceof PdfRef)) continue;
      const found = await visit(kid, depth + 1);
      if (found) return found;
    }
    return null;
  };
  const page = await visit(root, 0);
  if (!page) throw new AppError('MALFORMED_PDF', 'the document has no page');
  return page;
}

export interface FormField {
  ref: PdfRef | null;
  dict: PdfDict;
  /** Fully qualified name (§12.7.3.2): partial names joined with '.'. */
  name: string;
  /** Field type, inherited from ancestors: 'Sig', 'Tx', 'Btn', 'Ch' or undefined. */
  type: string | undefined;
}

/** Every terminal field of the AcroForm, in document order. */
export async function formFields(r: PdfReader): Promise<FormField[]> {
  const cat = await r.catalog();
  const form = await r.resolveDict(cat.get('AcroForm'));
  if (!form) return [];
  const fields = await r.resolve(form.get('Fields'));
  if (!Array.isArray(fields)) return [];
  const out: FormField[] = [];
  const seen = new Set<number>();
  const walk = async (o: PdfObject, parentName: string, parentType: string | undefined, depth: number): Promise<void> => {
    if (depth > 32) return;
    if (o instanceof PdfRef) {
      if (seen.has(o.num)) return;
      seen.add(o.num);
    }
    const dict = await r.resolveDict(o);
    if (!dict) return;
    const t = await r.resolve(dict.get('T'));
    const partial = t instanceof PdfString ? t.text() : undefined;
    const name = partial === undefined ? parentName : parentName ? `${parentName}.${partial}` : partial;
    const type = asName(await r.resolve(dict.get('FT'))) ?? parentType;
    const kids = await r.resolve(dict.get('Kids'));
    // Kids that carry /T are child fields; kids without it are only widgets of this field.
    const childFields: PdfObject[] = [];
    if (Array.isArray(kids)) {
      for (const k of kids) {
        const kd = await r.resolveDict(k);
        if (kd?.has('T')) childFields.push(k);
      }
    }
    if (childFields.length === 0) out.push({ ref: o instanceof PdfRef ? o : null, dict, name, type });
    for (const k of childFields) await walk(k, name, type, depth + 1);
  };
  for (const f of fields) await walk(f, '', undefined, 0);
  return out;
}
