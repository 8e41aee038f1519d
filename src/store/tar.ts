import { AppError } from '../errors.js';

/**
 * A minimal POSIX ustar writer and reader: regular files only, names up to 100 bytes (the
 * backup's names are short and ASCII by construction). Enough for `tar -tzf` / `tar -xzf` to read
 * our backups with standard tools, and for `restore` to read them back without a dependency.
 */

const BLOCK = 512;

export interface TarEntryHeader {
  name: string;
  size: number;
  mode: number;
  mtime: number;
}

/** The 512-byte header of a regular file. */
export function tarHeader(h: TarEntryHeader): Buffer {
  const name = Buffer.from(h.name, 'utf8');
  if (name.length > 100) throw new AppError('INTERNAL', `tar name too long: ${h.name}`);
  const b = Buffer.alloc(BLOCK, 0);
  name.copy(b, 0);
  octal(b, 100, 8, h.mode);
  octal(b, 108, 8, 0); // uid
  octal(b, 116, 8, 0); // gid
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, Math.floor(h.mtime));
  b.write('        ', 148, 'ascii'); // checksum is computed with its own field as spaces
  b.write('0', 156, 'ascii'); // regular file
  b.write('ustar\0', 257, 'ascii');
  b.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return b;
}

/** Zero bytes that pad a file's data to a whole block. */
export function tarPadding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest, 0);
}

/** Two zero blocks end an archive. */
export function tarEnd(): Buffer {
  return Buffer.alloc(2 * BLOCK, 0);
}

function octal(b: Buffer, off: number, len: number, n: number): void {
  b.write(n.toString(8).padStart(len - 1, '0') + '\0', off, 'ascii');
}

/** Pulls exact byte counts out of a chunk stream. */
class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  constructor(private readonly it: AsyncIterator<Buffer>) {}

  /** Up to `n` bytes (fewer only at the end of the stream). */
  async take(n: number): Promise<Buffer> {
    while (this.buf.length < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else this.buf = this.buf.length === 0 ? r.value : Buffer.concat([this.buf, r.value]);
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    return out;
  }
}

export interface TarEntry extends TarEntryHeader {
  /** The file's bytes; must be consumed completely before asking for the next entry. */
  body: AsyncGenerator<Buffer>;
}

/** Reads the regular files of a ustar stream; anything else is an error (we never write it). */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const r = new ByteReader(source[Symbol.asyncIterator]());
  for (;;) {
    const h = await r.take(BLOCK);
    if (h.length < BLOCK) throw new AppError('BAD_REQUEST', 'backup archive is truncated');
    if (h.every((x) => x === 0)) return;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (sum !== parseOctal(h, 148, 8)) throw new AppError('BAD_REQUEST', 'backup archive header checksum mismatch');
    const type = String.fromCharCode(h[156]!);
    if (type !== '0' && type !== '\0') throw new AppError('BAD_REQUEST', `unsupported tar entry type ${JSON.stringify(type)}`);
    const name = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseOctal(h, 124, 12);
    let left = size;
    const body = async function* (): AsyncGenerator<Buffer> {
      while (left > 0) {
        const chunk = await r.take(Math.min(left, 64 * 1024));
        if (chunk.length === 0) throw new AppError('BAD_REQUEST', 'backup archive is truncated');
        left -= chunk.length;
        yield chunk;
      }
    };
    const entry: TarEntry = { name, size, mode: parseOctal(h, 100, 8), mtime: parseOctal(h, 136, 12), body: body() };
    yield entry;
    if (left > 0) throw new AppError('INTERNAL', 'tar entry body was not consumed');
    await r.take(tarPadding(size).length);
  }
}

function parseOctal(b: Buffer, off: number, len: number): number {
  const s = b.subarray(off, off + len).toString('ascii').replace(/[\0 ]+$/g, '').trim();
  const n = parseInt(s || '0', 8);
  if (!Number.isSafeInteger(n)) throw new AppError('BAD_REQUEST', 'backup archive header is invalid');
  return n;
}
