import { inflateSync } from 'node:zlib';
import { PdfDict, asInt, asName, type PdfObject } from './objects.js';
import { PdfSyntaxError } from './lexer.js';

/**
 * Decoding for the only streams the reader opens: cross-reference streams and object streams,
 * both small. They use FlateDecode, usually with a PNG predictor (§7.4.4.4); any other filter on
 * them is refused rather than guessed.
 */
export function decodeStream(dict: PdfDict, raw: Uint8Array, parms?: PdfObject): Uint8Array {
  const filter = dict.get('Filter');
  const filters = Array.isArray(filter) ? filter.map((f) => asName(f)) : filter === undefined ? [] : [asName(filter)];
  const dp = parms ?? dict.get('DecodeParms');
  const dps = Array.isArray(dp) ? dp : [dp];
  let data = raw;
  filters.forEach((f, i) => {
    if (f !== 'FlateDecode') throw new PdfSyntaxError(`unsupported filter ${f ?? '?'} on a structural stream`);
    data = inflate(data);
    const p = dps[i];
    if (p instanceof PdfDict) data = unpredict(data, p);
  });
  return data;
}

// Structural streams are small; a bigger output is a decompression bomb, not a document.
const MAX_INFLATED = 64 << 20;

function inflate(data: Uint8Array): Uint8Array {
  try {
    return inflateSync(data, { maxOutputLength: MAX_INFLATED });
  } catch {
    // Some writers omit the final adler32; finishFlush accepts what inflated cleanly.
    try {
      return inflateSync(data, { finishFlush: 2 /* Z_SYNC_FLUSH */, maxOutputLength: MAX_INFLATED });
    } catch (e) {
      throw new PdfSyntaxError(`corrupt Flate data: ${(e as Error).message}`);
    }
  }
}

function unpredict(data: Uint8Array, p: PdfDict): Uint8Array {
  const predictor = asInt(p.get('Predictor')) ?? 1;
  if (predictor === 1) return data;
  const colors = asInt(p.get('Colors')) ?? 1;
  const bpc = asInt(p.get('BitsPerComponent')) ?? 8;
  const columns = asInt(p.get('Columns')) ?? 1;
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLen = Math.ceil((colors * bpc * columns) / 8);
  if (predictor === 2) {
    if (bpc !== 8) throw new PdfSyntaxError('TIFF predictor with BitsPerComponent other than 8');
    const out = Uint8Array.from(data);
    for (let r = 0; r + rowLen <= out.length; r += rowLen) {
      for (let i = bpp; i < rowLen; i++) out[r + i] = ((out[r + i] as number) + (out[r + i - bpp] as number)) & 0xff;
    }
    return out;
  }
  // PNG predictors: every row starts with its own filter type byte.
  const rows = Math.floor(data.length / (rowLen + 1));
  const out = new Uint8Array(rows * rowLen);
  let prev = new Uint8Array(rowLen);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLen + 1)] as number;
    const row = data.subarray(r * (rowLen + 1) + 1, (r + 1) * (rowLen + 1));
    const cur = out.subarray(r * rowLen, (r + 1) * rowLen);
    for (let i = 0; i < rowLen; i++) {
      const x = row[i] as number;
      const a = i >= bpp ? (cur[i - bpp] as number) : 0;
      const b = prev[i] as number;
      const c = i >= bpp ? (prev[i - bpp] as number) : 0;
      let v: number;
      switch (type) {
        case 0: v = x; break;
        case 1: v = x + a; break;
        case 2: v = x + b; break;
        case 3: v = x + ((a + b) >> 1); break;
        case 4: {
          const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default: throw new PdfSyntaxError(`bad PNG predictor row type ${type}`);
      }
      cur[i] = v & 0xff;
    }
    prev = cur;
  }
  return out;
}
