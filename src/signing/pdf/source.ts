import { open, type FileHandle } from 'node:fs/promises';
import { createHash, type Hash } from 'node:crypto';

/**
 * Random access to the bytes of a PDF, from a file or from memory. The reader asks for small
 * windows by offset, so a 50 MB file is never held in memory; hashing reads ranges in chunks.
 */
export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes at `offset` (fewer only at the end of the data). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * `[offset, offset+length)` in chunks of at most 1 MiB. Each chunk is only valid until the next
   * one is requested: the file source reuses one buffer, so hashing 50 MB allocates 1 MiB.
   */
  chunks(offset: number, length: number): AsyncGenerator<Uint8Array>;
  close(): Promise<void>;
}

const HASH_CHUNK = 1 << 20;

export class FileSource implements ByteSource {
  private constructor(
    private readonly fh: FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<FileSource> {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      return new FileSource(fh, st.size);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const len = Math.max(0, Math.min(length, this.size - offset));
    const buf = Buffer.allocUnsafe(len);
    let done = 0;
    while (done < len) {
      const { bytesRead } = await this.fh.read(buf, done, len - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buf.subarray(0, done);
  }

  async *chunks(offset: number, length: number): AsyncGenerator<Uint8Array> {
    const buf = Buffer.allocUnsafe(Math.min(HASH_CHUNK, Math.max(1, length)));
    const end = offset + length;
    for (let pos = offset; pos < end; ) {
      const { bytesRead } = await this.fh.read(buf, 0, Math.min(buf.length, end - pos), pos);
      if (bytesRead === 0) throw new RangeError(`range ends past the data (${end} > ${this.size})`);
      yield buf.subarray(0, bytesRead);
      pos += bytesRead;
    }
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

export class BufferSource implements ByteSource {
  constructor(private readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.length;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    return this.bytes.subarray(offset, Math.min(this.bytes.length, offset + length));
  }
  async *chunks(offset: number, length: number): AsyncGenerator<Uint8Array> {
    if (offset + length > this.bytes.length) throw new RangeError(`range ends past the data (${offset + length} > ${this.size})`);
    for (let pos = offset; pos < offset + length; pos += HASH_CHUNK) {
      yield this.bytes.subarray(pos, Math.min(offset + length, pos + HASH_CHUNK));
    }
  }
  async close(): Promise<void> {}
}

/** Feed `[offset, offset+length)` of the source into a hash, one chunk at a time. */
export async function hashRange(src: ByteSource, hash: Hash, offset: number, length: number): Promise<void> {
  for await (const chunk of src.chunks(offset, length)) hash.update(chunk);
}

/** Digest of the two ranges of a `/ByteRange [a b c d]`. */
export async function digestByteRange(
  src: ByteSource,
  byteRange: readonly [number, number, number, number],
  algorithm = 'sha256',
): Promise<Uint8Array> {
  const h = createHash(algorithm);
  await hashRange(src, h, byteRange[0], byteRange[1]);
  await hashRange(src, h, byteRange[2], byteRange[3]);
  return new Uint8Array(h.digest());
}
