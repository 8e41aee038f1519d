import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { AppError } from '../errors.js';
import type { FreeSpace } from './free-space.js';
import { fsyncDir, mapStorageError, unlinkQuiet, writeAllAt } from './fs-ops.js';

export interface BlobRef {
  sha256: string;
  size: number;
}

const SHA = /^[0-9a-f]{64}$/;

/**
 * Content-addressed files under `<stateDir>/blobs/ab/cdef…` (sha256 hex, split after two digits
 * so no directory grows past a few thousand entries). `put` streams into a unique temp file in
 * `blobs/tmp/` while hashing, never holding the content in memory, then fsyncs the file, renames
 * it into place and fsyncs the directory (see durable-file.ts for why each step is needed). A blob
 * is durable before `put` resolves, so a record may refer to it from then on.
 */
export class BlobStore {
  private readonly tmpDir: string;
  private readonly knownDirs = new Set<string>();

  private constructor(
    readonly root: string,
    private readonly space?: FreeSpace,
  ) {
    this.tmpDir = path.join(root, 'tmp');
  }

  /** Opens the store and removes temp files a crashed upload left behind (never referenced). */
  static async open(root: string, opts: { space?: FreeSpace } = {}): Promise<BlobStore> {
    const blobs = new BlobStore(root, opts.space);
    await mkdir(blobs.tmpDir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(blobs.tmpDir)) await unlinkQuiet(path.join(blobs.tmpDir, name));
    await fsyncDir(root);
    await fsyncDir(path.dirname(root));
    return blobs;
  }

  /** Stores the bytes of a buffer or a stream; resolves once they are durable. */
  async put(data: Uint8Array | Readable | AsyncIterable<Uint8Array>): Promise<BlobRef> {
    await this.space?.assertSpaceFor(data instanceof Uint8Array ? data.length : 0);
    const tmp = path.join(this.tmpDir, `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.part`);
    const hash = createHash('sha256');
    let size = 0;
    let placed = false;
    try {
      const fh = await open(tmp, 'wx', 0o600);
      try {
        const chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = data instanceof Uint8Array ? [data] : data;
        for await (const chunk of chunks) {
          const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
          hash.update(buf);
          await writeAllAt(fh, buf, size);
          size += buf.length;
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      const sha256 = hash.digest('hex');
      const target = this.path(sha256);
      await this.ensureDir(path.dirname(target));
      // Same content, same name: renaming over an existing blob replaces it with identical bytes.
      await rename(tmp, target);
      placed = true;
      await fsyncDir(path.dirname(target));
      return { sha256, size };
    } catch (e) {
      if (!placed) await unlinkQuiet(tmp);
      throw mapStorageError(e, 'a blob');
    }
  }

  /** Absolute path of a blob (whether or not it exists). */
  path(sha256: string): string {
    checkSha(sha256);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2));
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.size(sha256)) !== undefined;
  }

  async size(sha256: string): Promise<number | undefined> {
    try {
      return (await stat(this.path(sha256))).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** A read stream of the blob; NOT_FOUND if it does not exist. */
  async open(sha256: string): Promise<Readable> {
    const p = this.path(sha256);
    const fh = await open(p, 'r').catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'ENOENT' ? new AppError('NOT_FOUND', `blob ${sha256} not found`, { sha256 }) : e;
    });
    return fh.createReadStream(); // closes the handle when done
  }

  /** The whole blob in memory: for small blobs only (envelopes, status packages). */
  async read(sha256: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await this.open(sha256)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /** Deletes a blob (a recalled document's content). Returns false if it did not exist. */
  async delete(sha256: string): Promise<boolean> {
    const p = this.path(sha256);
    try {
      await unlink(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    await fsyncDir(path.dirname(p));
    return true;
  }

  /** Every stored blob's sha256. */
  async *list(): AsyncGenerator<string> {
    for (const dir of (await readdir(this.root)).filter((d) => /^[0-9a-f]{2}$/.test(d)).sort()) {
      for (const name of (await readdir(path.join(this.root, dir))).sort()) {
        const sha = dir + name;
        if (SHA.test(sha)) yield sha;
      }
    }
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    try {
      await mkdir(dir, { mode: 0o700 });
      await fsyncDir(this.root); // the new fan-out directory is an entry of blobs/
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    this.knownDirs.add(dir);
  }
}

function checkSha(sha256: string): void {
  if (!SHA.test(sha256)) throw new AppError('BAD_REQUEST', 'invalid blob id (sha256 hex expected)', { sha256 });
}
