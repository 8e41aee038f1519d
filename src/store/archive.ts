import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fsyncDir, mapStorageError } from './fs-ops.js';

/** One record to move into the archive. `at` (ISO) picks the monthly partition. */
export interface ArchiveItem {
  id: string;
  v: unknown;
  at: string;
}

/**
 * Append-only archive partitions for finished records (invariant 3: the active lowdb files hold
 * only active data, so their write cost does not grow with history).
 *
 * Layout under `<stateDir>/archive/<collection>/`:
 * - `<yyyy-mm>.jsonl`: one record per line, JSON, in the order they were archived (by UTC month
 *   of archiving). Append-only; a record is never rewritten.
 * - `index/<xx>.idx`: `id \t partition \t offset \t length \n`, bucketed by the first two hex
 *   digits of sha256(id). `get(id)` reads one bucket (1/256 of the index) and then exactly the
 *   bytes of the record, so a lookup does not scan history and nothing is held in memory.
 * A torn last line (crash mid-append) is skipped by every reader; the next append starts on a
 * fresh line so it cannot glue onto the fragment.
 */
export class Archive {
  private readonly knownFiles = new Set<string>();
  /** Files appended to without fsync since the last flush(). */
  private readonly unsynced = new Set<string>();
  private readonly unsyncedDirs = new Set<string>();

  constructor(readonly root: string) {}

  /**
   * Appends records (all to one collection). With `sync` (the default) every file touched is
   * fsync'd before this resolves. Without it the caller must call flush() before relying on the
   * data: the store does so when its journal — which holds the same records — already made the
   * change durable, and flushes before the journal is emptied. Readers validate what an index
   * line points at, so an index that reached the disk before its data is harmless.
   */
  async append(collection: string, items: readonly ArchiveItem[], opts: { sync?: boolean } = {}): Promise<void> {
    const sync = opts.sync ?? true;
    if (items.length === 0) return;
    const dir = this.dir(collection);
    await this.ensureDir(path.join(dir, 'index'));
    const byPartition = new Map<string, ArchiveItem[]>();
    for (const item of items) {
      const p = partitionOf(item.at);
      const list = byPartition.get(p) ?? byPartition.set(p, []).get(p)!;
      list.push(item);
    }
    const indexLines = new Map<string, string[]>();
    for (const [partition, list] of byPartition) {
      const lines = list.map((i) => Buffer.from(JSON.stringify(i.v) + '\n', 'utf8'));
      const offsets = await this.appendFile(path.join(dir, partition), lines, sync);
      list.forEach((item, n) => {
        const b = bucketOf(item.id);
        const entry = `${item.id}\t${partition}\t${offsets[n]}\t${lines[n]!.length - 1}\n`;
        (indexLines.get(b) ?? indexLines.set(b, []).get(b)!).push(entry);
      });
    }
    // Index after data: an index line never points at bytes that are not yet on the disk.
    for (const [bucket, lines] of indexLines) {
      await this.appendFile(path.join(dir, 'index', bucket), lines.map((l) => Buffer.from(l, 'utf8')), sync);
    }
  }

  /** fsyncs every file appended to with `sync: false` since the last flush. */
  async flush(): Promise<void> {
    for (const file of [...this.unsynced].sort()) {
      const fh = await open(file, 'r');
      try {
        await fh.datasync();
      } finally {
        await fh.close();
      }
      this.unsynced.delete(file);
    }
    for (const dir of [...this.unsyncedDirs]) {
      await fsyncDir(dir);
      this.unsyncedDirs.delete(dir);
    }
  }

  /** The archived record with this id (the latest if it was archived twice), or undefined. */
  async get(collection: string, id: string): Promise<unknown | undefined> {
    const dir = this.dir(collection);
    let text: string;
    try {
      text = await readFile(path.join(dir, 'index', bucketOf(id)), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    let hit: { partition: string; offset: number; length: number } | undefined;
    for (const line of text.split('\n')) {
      const f = line.split('\t');
      if (f.length !== 4 || f[0] !== id) continue;
      const offset = Number(f[2]);
      const length = Number(f[3]);
      if (Number.isSafeInteger(offset) && Number.isSafeInteger(length)) hit = { partition: f[1]!, offset, length };
    }
    if (!hit) return undefined;
    const fh = await open(path.join(dir, hit.partition), 'r');
    try {
      const buf = Buffer.alloc(hit.length);
      const { bytesRead } = await fh.read(buf, 0, hit.length, hit.offset);
      if (bytesRead !== hit.length) return undefined;
      const v = JSON.parse(buf.toString('utf8')) as { id?: unknown };
      return v && v.id === id ? v : undefined;
    } catch {
      return undefined; // index ahead of its data after a power cut: the journal re-archives it
    } finally {
      await fh.close();
    }
  }

  /** Every archived record of a collection, oldest partition first, streamed line by line. */
  async *scan(collection: string): AsyncGenerator<unknown> {
    const dir = this.dir(collection);
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => /^\d{4}-\d{2}\.jsonl$/.test(n)).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const name of names) {
      const rl = createInterface({ input: createReadStream(path.join(dir, name), 'utf8'), crlfDelay: Infinity });
      for await (const line of rl) {
        if (line === '') continue;
        try {
          yield JSON.parse(line) as unknown;
        } catch {
          /* torn fragment from an interrupted append */
        }
      }
    }
  }

  private dir(collection: string): string {
    return path.join(this.root, collection);
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.knownFiles.has(dir)) return;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // New directories are entries in their parents: sync up to the archive root.
    await fsyncDir(path.dirname(dir));
    await fsyncDir(path.dirname(path.dirname(dir)));
    this.knownFiles.add(dir);
  }

  /** Appends lines, returns the offset of each, fsyncs the file (and its directory if new). */
  private async appendFile(file: string, lines: readonly Buffer[], sync: boolean): Promise<number[]> {
    const fh = await open(file, 'a+', 0o600);
    let size = 0;
    try {
      size = (await fh.stat()).size;
      let prefix = Buffer.alloc(0);
      if (size > 0) {
        const last = Buffer.alloc(1);
        await fh.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = Buffer.from('\n'); // isolate a torn fragment
      }
      const offsets: number[] = [];
      let pos = size + prefix.length;
      for (const l of lines) {
        offsets.push(pos);
        pos += l.length;
      }
      const all = Buffer.concat([prefix, ...lines]);
      // In append mode every write lands at the end; loop over short writes.
      for (let done = 0; done < all.length; ) done += (await fh.write(all, done, all.length - done)).bytesWritten;
      if (sync) await fh.datasync();
      else this.unsynced.add(file);
      if (!this.knownFiles.has(file)) {
        // A new file is an entry in its directory: sync that too (now, or with the next flush).
        if (size === 0) {
          if (sync) await fsyncDir(path.dirname(file));
          else this.unsyncedDirs.add(path.dirname(file));
        }
        this.knownFiles.add(file);
      }
      return offsets;
    } catch (e) {
      await fh.truncate(size).catch(() => undefined);
      throw mapStorageError(e, 'the archive');
    } finally {
      await fh.close();
    }
  }
}

/** `yyyy-mm.jsonl` of the UTC month of `at`. */
export function partitionOf(at: string): string {
  const d = new Date(at);
  const t = Number.isNaN(d.getTime()) ? new Date() : d;
  return `${t.getUTCFullYear()}-${String(t.getUTCMonth() + 1).padStart(2, '0')}.jsonl`;
}

function bucketOf(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 2) + '.idx';
}
