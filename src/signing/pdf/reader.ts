import { AppError } from '../../errors.js';
import { Lexer, PdfSyntaxError, Truncated } from './lexer.js';
import { PdfDict, PdfRef, PdfStream, asInt, asName, type PdfObject } from './objects.js';
import { decodeStream } from './filters.js';
import { readIndirectAt } from './raw-read.js';
import { readXrefChain, type XrefChain } from './xref.js';
import type { ByteSource } from './source.js';

/**
 * The lean PDF reader. Choice (instead of glue on `pdf-lib-incremental-save`): every npm PDF
 * library loads and parses the whole file, so a 50 MB PDF costs several copies of itself in RSS
 * on a Pi (STYLE.md measured 251 MB for 60 MB). Signing needs only the xref chain, the catalog,
 * the AcroForm and page 1, so this reader follows the chain and parses just those objects by
 * offset, reading small windows; object streams are inflated with node:zlib on demand. Nothing
 * here ever loads content streams or images.
 */
export class PdfReader {
  private readonly cache = new Map<number, PdfObject>();
  private readonly objStmCache = new Map<number, { data: Uint8Array; offsets: Map<number, number> }>();
  // Object streams being opened: a /Length that lives inside its own stream would otherwise loop
  // forever (async recursion never overflows the stack, it just hangs).
  private readonly opening = new Set<number>();

  private constructor(
    readonly src: ByteSource,
    /** Header version, e.g. "1.4"; the catalog's /Version may raise it (see `version()`). */
    readonly headerVersion: string,
    readonly xref: XrefChain,
  ) {}

  /** Parse the header and the whole xref chain; every failure is AppError('MALFORMED_PDF'). */
  static async open(src: ByteSource): Promise<PdfReader> {
    return malformedOnError(async () => {
      const head = Buffer.from(await src.read(0, 1024)).toString('latin1');
      // The header may follow some junk (§7.5.2 allows readers to accept it within the first 1 KB),
      // but offsets are then relative to the header; we only accept it at offset 0 to stay exact.
      const m = /^%PDF-(\d\.\d)/.exec(head);
      if (!m) throw new PdfSyntaxError('no %PDF- header');
      const xref = await readXrefChain(src);
      return new PdfReader(src, m[1] as string, xref);
    });
  }

  get trailer(): PdfDict {
    return this.xref.trailer;
  }

  get encrypted(): boolean {
    return this.trailer.has('Encrypt');
  }

  /** The effective version: the catalog's /Version wins when it is higher (§7.7.2). */
  async version(): Promise<string> {
    const cat = await this.catalog();
    const v = asName(cat.get('Version'));
    return v !== undefined && /^\d\.\d$/.test(v) && v > this.headerVersion ? v : this.headerVersion;
  }

  async catalog(): Promise<PdfDict> {
    const root = this.trailer.get('Root');
    if (!(root instanceof PdfRef)) throw new AppError('MALFORMED_PDF', 'trailer has no /Root reference');
    const cat = await this.resolve(root);
    if (!(cat instanceof PdfDict)) throw new AppError('MALFORMED_PDF', 'the /Root object is not a dictionary');
    return cat;
  }

  /** The object with this number as currently in force (null when free or absent, per §7.3.10). */
  async getObject(num: number): Promise<PdfObject> {
    const hit = this.cache.get(num);
    if (hit !== undefined) return hit;
    const value = await malformedOnError(() => this.load(num));
    this.cache.set(num, value);
    return value;
  }

  /** Follow references until a direct value. */
  async resolve(o: PdfObject | undefined): Promise<PdfObject> {
    let v: PdfObject | undefined = o;
    for (let hops = 0; v instanceof PdfRef; hops++) {
      if (hops > 32) throw new AppError('MALFORMED_PDF', 'reference chain too long');
      v = await this.getObject(v.num);
    }
    return v === undefined ? null : v;
  }

  async resolveDict(o: PdfObject | undefined): Promise<PdfDict | undefined> {
    const v = await this.resolve(o);
    if (v instanceof PdfDict) return v;
    if (v instanceof PdfStream) return v.dict;
    return undefined;
  }

  /** The raw (still encoded) bytes of a stream, using its resolved /Length. */
  async rawStreamData(s: PdfStream): Promise<Uint8Array> {
    const length = asInt(await this.resolve(s.dict.get('Length')));
    if (length === undefined || length < 0) throw new AppError('MALFORMED_PDF', 'stream without a valid /Length');
    const raw = await this.src.read(s.dataOffset, length);
    if (raw.length !== length) throw new AppError('MALFORMED_PDF', 'stream runs past the end of the file');
    return raw;
  }

  private async load(num: number): Promise<PdfObject> {
    const e = this.xref.entries.get(num);
    if (e === undefined || e.type === 'free') return null;
    if (e.type === 'offset') {
      const obj = await readIndirectAt(this.src, e.offset);
      if (obj.num !== num) throw new PdfSyntaxError(`xref for object ${num} points at object ${obj.num}`);
      return obj.value;
    }
    const stm = await this.objectStream(e.stream);
    const at = stm.offsets.get(num);
    if (at === undefined) throw new PdfSyntaxError(`object ${num} missing from object stream ${e.stream}`);
    const lx = new Lexer(stm.data, 0, true);
    lx.pos = at;
    return lx.parseObject();
  }

  private async objectStream(num: number): Promise<{ data: Uint8Array; offsets: Map<number, number> }> {
    const hit = this.objStmCache.get(num);
    if (hit) return hit;
    // §7.5.7: an object stream is never itself inside an object stream.
    if (this.xref.entries.get(num)?.type !== 'offset') throw new PdfSyntaxError(`object stream ${num} is not a plain object`);
    if (this.opening.has(num)) throw new PdfSyntaxError(`object stream ${num} depends on itself`);
    this.opening.add(num);
    try {
      return await this.openObjectStream(num);
    } finally {
      this.opening.delete(num);
    }
  }

  private async openObjectStream(num: number): Promise<{ data: Uint8Array; offsets: Map<number, number> }> {
    const s = await this.getObject(num);
    if (!(s instanceof PdfStream) || asName(s.dict.get('Type')) !== 'ObjStm') {
      throw new PdfSyntaxError(`object ${num} is not an object stream`);
    }
    const data = decodeStream(s.dict, await this.rawStreamData(s));
    const n = asInt(s.dict.get('N')) ?? 0;
    const first = asInt(s.dict.get('First')) ?? 0;
    const lx = new Lexer(data, 0, true);
    const offsets = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const objNum = lx.readInt();
      const off = lx.readInt();
      if (!offsets.has(objNum)) offsets.set(objNum, first + off);
    }
    const entry = { data, offsets };
    // Keep a few: the catalog, pages and AcroForm usually share one or two object streams.
    if (this.objStmCache.size >= 4) this.objStmCache.delete(this.objStmCache.keys().next().value as number);
    this.objStmCache.set(num, entry);
    return entry;
  }
}

/** Map parser failures (and I/O range errors) to the one error the callers promise. */
export async function malformedOnError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AppError) throw e;
    if (e instanceof PdfSyntaxError || e instanceof Truncated || e instanceof RangeError) {
      throw new AppError('MALFORMED_PDF', `not a readable PDF: ${e.message}`, undefined, { cause: e });
    }
    throw e;
  }
}
