import { PdfSyntaxError, type Lexer } from './lexer.js';
import { PdfDict, PdfStream, asInt, asName, type PdfObject } from './objects.js';
import { decodeStream } from './filters.js';
import { parseAt, readIndirectAt } from './raw-read.js';
import type { ByteSource } from './source.js';

const MAX_OBJECT_NUMBER = 8_388_607;

/**
 * The cross-reference chain (§7.5.4–7.5.8): classic tables, cross-reference streams, hybrid files
 * (`/XRefStm`) and `/Prev` chains of incremental updates and linearized files. Sections are read
 * newest first, so the first entry seen for an object number is the one in force.
 */
export type XrefEntry =
  | { type: 'free' }
  | { type: 'offset'; offset: number; gen: number }
  | { type: 'compressed'; stream: number; index: number };

export type SectionKind = 'table' | 'stream';

export interface XrefChain {
  entries: Map<number, XrefEntry>;
  /** The newest trailer (for a stream: its dictionary), with Root/Info/ID/Encrypt filled from older ones. */
  trailer: PdfDict;
  /** The offset after the file's last `startxref`: the update's `/Prev`. */
  startxref: number;
  /** Kind of the section `startxref` points at: the update is written in the same kind. */
  lastKind: SectionKind;
  /** One past the highest object number in use (max of every `/Size`). */
  size: number;
  /** Offsets of every section read, newest first (for inspection and tests). */
  sections: { offset: number; kind: SectionKind }[];
}

const INHERITED_TRAILER_KEYS = ['Root', 'Info', 'ID', 'Encrypt'];
const MAX_SECTIONS = 10_000;

export async function findStartxref(src: ByteSource): Promise<number> {
  const tailLen = Math.min(src.size, 16 * 1024);
  const tail = Buffer.from(await src.read(src.size - tailLen, tailLen)).toString('latin1');
  const at = tail.lastIndexOf('startxref');
  if (at < 0) throw new PdfSyntaxError('no startxref near the end of the file');
  const m = /^startxref\s+(\d+)/.exec(tail.slice(at));
  if (!m) throw new PdfSyntaxError('startxref is not followed by an offset');
  return Number(m[1]);
}

export async function readXrefChain(src: ByteSource): Promise<XrefChain> {
  const startxref = await findStartxref(src);
  const entries = new Map<number, XrefEntry>();
  const sections: XrefChain['sections'] = [];
  const seen = new Set<number>();
  let trailer: PdfDict | undefined;
  let size = 0;
  let offset: number | undefined = startxref;
  while (offset !== undefined) {
    if (seen.has(offset) || seen.size > MAX_SECTIONS) throw new PdfSyntaxError(`xref /Prev loop at ${offset}`);
    seen.add(offset);
    const section = await readSection(src, offset);
    sections.push({ offset, kind: section.kind });
    const dict = section.trailer;
    for (const [num, e] of section.entries) if (!entries.has(num)) entries.set(num, e);
    // Hybrid file: the table's entries win, the hidden xref stream's fill the gaps (§7.5.8.4).
    const xrefStm = asInt(dict.get('XRefStm'));
    if (xrefStm !== undefined && !seen.has(xrefStm)) {
      seen.add(xrefStm);
      const hidden = await readSection(src, xrefStm);
      for (const [num, e] of hidden.entries) if (!entries.has(num)) entries.set(num, e);
    }
    if (trailer === undefined) trailer = dict.clone();
    else for (const k of INHERITED_TRAILER_KEYS) if (!trailer.has(k) && dict.has(k)) trailer.set(k, dict.get(k) as PdfObject);
    size = Math.max(size, asInt(dict.get('Size')) ?? 0);
    const prev = dict.get('Prev');
    offset = prev === undefined ? undefined : asInt(prev);
    if (prev !== undefined && offset === undefined) throw new PdfSyntaxError('trailer /Prev is not an integer');
  }
  if (trailer === undefined || sections[0] === undefined) throw new PdfSyntaxError('no cross-reference section');
  for (const num of entries.keys()) size = Math.max(size, num + 1);
  // ISO 32000-1 Annex C: at most 8,388,607 indirect objects. A larger /Size would make the
  // update's new object numbers unreadable to every other tool, so refuse the file instead.
  if (size > MAX_OBJECT_NUMBER + 1) throw new PdfSyntaxError(`trailer /Size ${size} is beyond the PDF object limit`);
  return { entries, trailer, startxref, lastKind: sections[0].kind, size, sections };
}

interface Section {
  kind: SectionKind;
  entries: Map<number, XrefEntry>;
  trailer: PdfDict;
}

async function readSection(src: ByteSource, offset: number): Promise<Section> {
  const first = await parseAt(src, offset, (lx) => lx.peekKeyword());
  if (first === 'xref') return parseAt(src, offset, parseTable);
  return readXrefStream(src, offset);
}

function parseTable(lx: Lexer): Section {
  lx.expectKeyword('xref');
  const entries = new Map<number, XrefEntry>();
  for (;;) {
    const kw = lx.peekKeyword();
    if (kw === 'trailer') break;
    const start = lx.readInt();
    const count = lx.readInt();
    if (start < 0 || count < 0) throw new PdfSyntaxError('negative xref subsection');
    for (let i = 0; i < count; i++) {
      const off = lx.readInt();
      const gen = lx.readInt();
      const kind = lx.peekKeyword();
      if (kind !== 'n' && kind !== 'f') throw new PdfSyntaxError(`bad xref entry type at ${lx.absPos}`);
      lx.expectKeyword(kind);
      const num = start + i;
      if (entries.has(num)) continue;
      entries.set(num, kind === 'n' ? { type: 'offset', offset: off, gen } : { type: 'free' });
    }
  }
  lx.expectKeyword('trailer');
  const trailer = lx.parseObject();
  if (!(trailer instanceof PdfDict)) throw new PdfSyntaxError('trailer is not a dictionary');
  return { kind: 'table', entries, trailer };
}

async function readXrefStream(src: ByteSource, offset: number): Promise<Section> {
  const obj = await readIndirectAt(src, offset);
  if (!(obj.value instanceof PdfStream) || asName(obj.value.dict.get('Type')) !== 'XRef') {
    throw new PdfSyntaxError(`no cross-reference section at ${offset}`);
  }
  const dict = obj.value.dict;
  // An xref stream's /Length must be direct: the xref is not known yet (§7.5.8.2).
  const length = asInt(dict.get('Length'));
  if (length === undefined) throw new PdfSyntaxError('xref stream without a direct /Length');
  const raw = await src.read(obj.value.dataOffset, length);
  if (raw.length !== length) throw new PdfSyntaxError('xref stream runs past the end of the file');
  const data = decodeStream(dict, raw);
  const w = dict.get('W');
  if (!Array.isArray(w) || w.length !== 3) throw new PdfSyntaxError('xref stream /W missing');
  const widths = w.map((x) => asInt(x) ?? -1);
  if (widths.some((x) => x < 0 || x > 8)) throw new PdfSyntaxError('xref stream /W invalid');
  const [w0, w1, w2] = widths as [number, number, number];
  const rowLen = w0 + w1 + w2;
  const size = asInt(dict.get('Size')) ?? 0;
  const idx = dict.get('Index');
  const index = Array.isArray(idx) ? idx.map((x) => asInt(x) ?? -1) : [0, size];
  const entries = new Map<number, XrefEntry>();
  let row = 0;
  for (let k = 0; k + 1 < index.length; k += 2) {
    const start = index[k] as number;
    const count = index[k + 1] as number;
    if (start < 0 || count < 0) throw new PdfSyntaxError('xref stream /Index invalid');
    for (let i = 0; i < count; i++, row++) {
      const at = row * rowLen;
      if (at + rowLen > data.length) throw new PdfSyntaxError('xref stream shorter than its /Index');
      const f0 = w0 === 0 ? 1 : readBE(data, at, w0);
      const f1 = readBE(data, at + w0, w1);
      const f2 = readBE(data, at + w0 + w1, w2);
      const num = start + i;
      if (entries.has(num)) continue;
      if (f0 === 1) entries.set(num, { type: 'offset', offset: f1, gen: f2 });
      else if (f0 === 2) entries.set(num, { type: 'compressed', stream: f1, index: f2 });
      else entries.set(num, { type: 'free' });
    }
  }
  return { kind: 'stream', entries, trailer: dict };
}

function readBE(data: Uint8Array, at: number, width: number): number {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + (data[at + i] as number);
  return v;
}
