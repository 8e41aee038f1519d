import { PdfDict, PdfName, PdfRef, serialize, type PdfObject } from './objects.js';
import type { SectionKind } from './xref.js';

/**
 * Builds the bytes of one incremental update (ISO 32000-1 §7.5.6): the new or changed objects,
 * then a cross-reference section of the same kind as the file's last one (a classic table after a
 * table; a cross-reference stream after a stream, since readers may refuse a table chained to a
 * stream), and a trailer with `/Prev`, `/Root`, `/Size` and the original `/ID`. The original
 * bytes are never touched: the update only gets appended.
 */
export interface UpdateObject {
  num: number;
  gen: number;
  /** Serialised object body (latin1: one char per byte). */
  body: string;
}

export interface UpdateSpec {
  /** Length of the file the update is appended to. */
  baseSize: number;
  /** Whether the file already ends with an EOL; if not, the update starts with one. */
  baseEndsWithEol: boolean;
  prevStartxref: number;
  kind: SectionKind;
  /** The chain's /Size before the update. */
  prevSize: number;
  root: PdfRef;
  info?: PdfObject | undefined;
  id?: PdfObject | undefined;
  objects: UpdateObject[];
}

export interface BuiltUpdate {
  bytes: Buffer;
  /** Absolute offsets (in the final file) of each written object. */
  offsets: Map<number, number>;
  /** Absolute offset of the new cross-reference section. */
  xrefOffset: number;
}

export function buildIncrementalUpdate(spec: UpdateSpec): BuiltUpdate {
  const parts: string[] = [];
  let pos = spec.baseSize;
  const push = (s: string): void => {
    parts.push(s);
    pos += s.length;
  };
  if (!spec.baseEndsWithEol) push('\n');
  const offsets = new Map<number, number>();
  const sorted = [...spec.objects].sort((a, b) => a.num - b.num);
  for (const o of sorted) {
    offsets.set(o.num, pos);
    push(`${o.num} ${o.gen} obj\n${o.body}\nendobj\n`);
  }
  const maxNum = sorted.reduce((m, o) => Math.max(m, o.num), 0);
  const xrefOffset = pos;
  if (spec.kind === 'table') {
    const size = Math.max(spec.prevSize, maxNum + 1);
    push('xref\n');
    for (const run of runs(sorted.map((o) => o.num))) {
      push(`${run.start} ${run.count}\n`);
      for (let n = run.start; n < run.start + run.count; n++) {
        const o = sorted.find((x) => x.num === n) as UpdateObject;
        // Each entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, CRLF.
        push(`${pad(offsets.get(n) as number, 10)} ${pad(o.gen, 5)} n\r\n`);
      }
    }
    push(`trailer\n${serialize(trailerDict(spec, size))}\nstartxref\n${xrefOffset}\n%%EOF\n`);
    return { bytes: Buffer.from(parts.join(''), 'latin1'), offsets, xrefOffset };
  }
  // Cross-reference stream: it lists itself too. Uncompressed, so no filter and no predictor.
  const xrefNum = Math.max(spec.prevSize, maxNum + 1);
  offsets.set(xrefNum, xrefOffset);
  const gens = new Map(sorted.map((o) => [o.num, o.gen]));
  gens.set(xrefNum, 0);
  const nums = [...gens.keys()].sort((a, b) => a - b);
  const wide = xrefOffset >= 2 ** 32;
  const ow = wide ? 8 : 4;
  const data = Buffer.alloc(nums.length * (1 + ow + 2));
  nums.forEach((n, i) => {
    const at = i * (1 + ow + 2);
    data[at] = 1;
    const off = offsets.get(n) as number;
    if (wide) data.writeBigUInt64BE(BigInt(off), at + 1);
    else data.writeUInt32BE(off, at + 1);
    data.writeUInt16BE(gens.get(n) as number, at + 1 + ow);
  });
  const dict = trailerDict(spec, xrefNum + 1);
  dict.set('Type', new PdfName('XRef'));
  dict.set('W', [1, ow, 2]);
  dict.set('Index', runs(nums).flatMap((r) => [r.start, r.count]));
  dict.set('Length', data.length);
  push(`${xrefNum} 0 obj\n${serialize(dict)}\nstream\n`);
  const head = Buffer.from(parts.join(''), 'latin1');
  const tail = Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`, 'latin1');
  return { bytes: Buffer.concat([head, data, tail]), offsets, xrefOffset };
}

function trailerDict(spec: UpdateSpec, size: number): PdfDict {
  const d = new PdfDict();
  d.set('Size', size);
  d.set('Root', spec.root);
  if (spec.info !== undefined && spec.info !== null) d.set('Info', spec.info);
  if (spec.id !== undefined && spec.id !== null) d.set('ID', spec.id);
  d.set('Prev', spec.prevStartxref);
  return d;
}

function runs(nums: number[]): { start: number; count: number }[] {
  const out: { start: number; count: number }[] = [];
  for (const n of [...nums].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last && last.start + last.count === n) last.count++;
    else out.push({ start: n, count: 1 });
  }
  return out;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
