import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { AppError } from '../errors.js';

/**
 * Small filesystem steps shared by every durable writer in store/. Kept in one place so the
 * reasoning about fsync lives next to the code that does it.
 */

/** Error codes that mean "the disk (or the quota) is full" rather than "the code is wrong". */
const FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

export function isStorageFull(e: unknown): boolean {
  return typeof e === 'object' && e !== null && FULL_CODES.has((e as NodeJS.ErrnoException).code ?? '');
}

/** ENOSPC/EDQUOT become STORAGE_FULL (HTTP 507); every other error passes through untouched. */
export function mapStorageError(e: unknown, what: string): unknown {
  if (isStorageFull(e)) {
    return new AppError('STORAGE_FULL', `no space left on the state filesystem while writing ${what}`, { what }, { cause: e });
  }
  return e;
}

/** Suffix of every temp file we create: readers recognise (and remove) leftovers by it. */
export const TEMP_SUFFIX = '.tmp';

/**
 * A temp name no other writer can pick: pid + random. A fixed name (as steno uses) lets two
 * writers, or a writer and a crashed predecessor's leftover, write into the same file.
 */
export function uniqueTempPath(target: string): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(dir, `.${base}.${process.pid}-${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
}

/** True when `name` (a bare file name) is a temp file created for `base` by uniqueTempPath. */
export function isTempFor(name: string, base: string): boolean {
  return name.startsWith(`.${base}.`) && name.endsWith(TEMP_SUFFIX);
}

/**
 * fsync a directory. After rename() or creating a file, the new directory entry lives only in the
 * page cache until the directory itself is synced: a power cut could bring back the old name (or
 * no name at all) even though the file's own data was fsync'd.
 */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Makes a fully written temp file the real `target`, durably: fsync its data, rename over the
 * target (atomic on one filesystem), fsync the directory so the new name survives a power cut.
 * Readers see the old file or the whole new one, never a part.
 */
export async function commitTempFile(tmp: string, target: string): Promise<void> {
  const fh = await open(tmp, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, target);
  await fsyncDir(path.dirname(target));
}

/** unlink that ignores a missing file (cleanup paths must not mask the original error). */
export async function unlinkQuiet(p: string): Promise<void> {
  try {
    await unlink(p);
  } catch {
    /* already gone, or the disk is in trouble: the original error is what matters */
  }
}

/** Writes the whole buffer at `position`, looping over short writes. */
export async function writeAllAt(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
}
