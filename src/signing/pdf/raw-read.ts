import { Lexer, PdfSyntaxError, Truncated } from './lexer.js';
import type { PdfObject } from './objects.js';
import type { ByteSource } from './source.js';

const FIRST_WINDOW = 4096;
// An indirect object's dictionary beyond this is not a document we can sign safely on a Pi.
const MAX_WINDOW = 64 << 20;

/**
 * Run a parse at `offset`, reading a small window first and doubling it while the object runs
 * past its end. Only the bytes of the object itself are read (streams' data excepted).
 */
export async function parseAt<T>(src: ByteSource, offset: number, parse: (lx: Lexer) => T): Promise<T> {
  if (!Number.isInteger(offset) || offset < 0 || offset >= src.size) {
    throw new PdfSyntaxError(`offset ${offset} outside the file`);
  }
  let len = FIRST_WINDOW;
  for (;;) {
    const buf = await src.read(offset, len);
    const atEof = offset + buf.length >= src.size;
    try {
      return parse(new Lexer(buf, offset, atEof));
    } catch (e) {
      if (!(e instanceof Truncated) || atEof) throw e;
      if (len >= MAX_WINDOW) throw new PdfSyntaxError(`object at ${offset} is larger than ${MAX_WINDOW} bytes`);
      len *= 2;
    }
  }
}

export interface IndirectAt {
  num: number;
  gen: number;
  value: PdfObject;
}

export function readIndirectAt(src: ByteSource, offset: number): Promise<IndirectAt> {
  return parseAt(src, offset, (lx) => lx.parseIndirect());
}
