import { open, readFile, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';
import { SerialQueue } from './serial-queue.js';
import { fsyncDir, isTempFor, mapStorageError, uniqueTempPath, unlinkQuiet, writeAllAt } from './fs-ops.js';

/**
 * A lowdb adapter that makes "write() resolved" mean "on the disk" (invariant 1).
 *
 * lowdb's own JSONFile (steno) writes a fixed temp name and renames without any fsync, and merges
 * overlapping writes. This adapter instead, for every write, in order:
 *   1. creates a temp file with a unique name in the same directory (same filesystem, so the
 *      rename below is atomic; unique, so a leftover or a second writer cannot collide with it);
 *   2. writes the JSON and fsyncs the temp file: without it, rename could reach the disk before
 *      the data, and a power cut would leave the real name pointing at an empty or partial file;
 *   3. renames it over the target: readers see either the old or the new file, never a mix;
 *   4. fsyncs the directory: the rename is a directory change, lost on a power cut until the
 *      directory is synced, and the caller would have been told "durable" for the old content.
 * Writes go through a SerialQueue: each one lands, in submission order, none is merged or lost.
 *
 * Reads return null for a missing file and remove temp files left by a crashed writer (they were
 * never renamed, so they hold nothing that was acknowledged).
 */
export class DurableFile<T> implements Adapter<T> {
  readonly file: string;
  private readonly queue = new SerialQueue();

  constructor(file: string) {
    this.file = path.resolve(file);
  }

  read(): Promise<T | null> {
    return this.queue.run(async () => {
      await this.removeLeftovers();
      let text: string;
      try {
        text = await readFile(this.file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
      return JSON.parse(text) as T;
    });
  }

  write(data: T): Promise<void> {
    // Serialise now, not when the queued task runs: the caller may mutate `data` right after.
    const text = JSON.stringify(data) + '\n';
    return this.queue.run(() => this.writeNow(text));
  }

  /** Resolves once every write submitted so far has landed. */
  flush(): Promise<void> {
    return this.queue.drain();
  }

  private async writeNow(text: string): Promise<void> {
    const tmp = uniqueTempPath(this.file);
    let renamed = false;
    try {
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await writeAllAt(fh, Buffer.from(text, 'utf8'), 0);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.file);
      renamed = true;
      await fsyncDir(path.dirname(this.file));
    } catch (e) {
      // A failed write must leave the previous file intact and no temp file behind.
      if (!renamed) await unlinkQuiet(tmp);
      throw mapStorageError(e, path.basename(this.file));
    }
  }

  private async removeLeftovers(): Promise<void> {
    const dir = path.dirname(this.file);
    const base = path.basename(this.file);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    // Safe while we hold the queue: our own writes are not in flight, and the state lock keeps
    // other processes out, so any temp file for this name belongs to a dead writer.
    for (const name of names) if (isTempFor(name, base)) await unlinkQuiet(path.join(dir, name));
  }
}
