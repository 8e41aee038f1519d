import { createHash } from 'node:crypto';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import type { AuditEntry } from './audit.js';
import { fsyncDir, mapStorageError, writeAllAt } from './fs-ops.js';

/** One change inside a committed transaction. Values are whole records, so replay is idempotent. */
export type JournalOp =
  | { op: 'put'; c: string; id: string; v: unknown }
  | { op: 'del'; c: string; id: string }
  | { op: 'archive'; c: string; id: string; v: unknown; at: string };

/** One committed transaction: every change and audit entry acknowledged together. */
export interface JournalRecord {
  tx: number;
  ops: JournalOp[];
  audit: AuditEntry[];
}

export const JOURNAL_FILE = 'journal.jsonl';

/**
 * The store's commit log (write-ahead journal), `db/journal.jsonl`.
 *
 * A transaction is committed by appending ONE line — every record change and audit entry of the
 * transaction — and fdatasync'ing it: one durable write, whose cost depends on the size of the
 * change, not on how many records exist. The sharded lowdb files are checkpoints of the journal,
 * rewritten (durably) from time to time, after which the journal is emptied.
 *
 * Line format: `<first 16 hex of sha256(json)> <json>\n`. The checksum tells a complete line from a
 * torn one (a crash mid-append) or from garbage a power cut left behind.
 */
export class Journal {
  /** True once a failed append could not be rolled back. */
  damaged = false;

  private constructor(
    readonly file: string,
    private fh: FileHandle,
    private size: number,
  ) {}

  /** Opens (creating) the journal and returns it with the records it holds, in order. */
  static async open(dir: string): Promise<{ journal: Journal; records: JournalRecord[]; droppedBytes: number }> {
    const file = path.join(dir, JOURNAL_FILE);
    await (await open(file, 'a+', 0o600)).close();
    await fsyncDir(dir);
    const { records, validBytes, droppedBytes } = parseJournal(await readFile(file), file);
    const fh = await open(file, 'r+');
    if (droppedBytes > 0) {
      // The unterminated or unverifiable tail is a commit that never returned: not acknowledged.
      await fh.truncate(validBytes);
      await fh.sync();
    }
    return { journal: new Journal(file, fh, validBytes), records, droppedBytes };
  }

  /** The bytes `append` writes for a record (callers size-check them first). */
  static encode(rec: JournalRecord): Buffer {
    const json = JSON.stringify(rec);
    return Buffer.from(`${checksum(json)} ${json}\n`, 'utf8');
  }

  /** Appends one encoded record and syncs it. On failure the journal is put back as it was. */
  async append(buf: Buffer): Promise<void> {
    try {
      await writeAllAt(this.fh, buf, this.size);
      // fdatasync, not fsync: for an append it flushes the data and the new length, which is all
      // a reader after a power cut needs; it skips the timestamp-only inode update.
      await this.fh.datasync();
    } catch (e) {
      // Cut off whatever part of the line was written; if even that fails the tail holds garbage
      // the next append would not fully cover, so the store must stop writing (see `damaged`).
      await this.fh.truncate(this.size).catch(() => {
        this.damaged = true;
      });
      throw mapStorageError(e, 'the store journal');
    }
    this.size += buf.length;
  }

  get bytes(): number {
    return this.size;
  }

  /** Empties the journal once a checkpoint has made everything in it durable elsewhere. */
  async reset(): Promise<void> {
    await this.fh.truncate(0);
    await this.fh.sync();
    this.size = 0;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

function checksum(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

/**
 * Parses journal bytes. A bad line is tolerated only at the very end (a torn append); a bad line
 * followed by good ones means the file was damaged, and starting anyway could silently drop
 * acknowledged changes, so that is an error.
 */
export function parseJournal(buf: Buffer, file = JOURNAL_FILE): { records: JournalRecord[]; validBytes: number; droppedBytes: number } {
  const records: JournalRecord[] = [];
  let pos = 0;
  let lineNo = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    const end = nl < 0 ? buf.length : nl;
    lineNo++;
    const rec = nl < 0 ? null : parseLine(buf.subarray(pos, end).toString('utf8'));
    if (rec === null) {
      const rest = nl < 0 ? Buffer.alloc(0) : buf.subarray(nl + 1);
      if (rest.some((b) => b !== 0 && b !== 0x0a)) {
        throw new AppError('INTERNAL', `store journal damaged at line ${lineNo}`, { file, line: lineNo });
      }
      return { records, validBytes: pos, droppedBytes: buf.length - pos };
    }
    records.push(rec);
    pos = end + 1;
  }
  return { records, validBytes: pos, droppedBytes: 0 };
}

function parseLine(line: string): JournalRecord | null {
  const sp = line.indexOf(' ');
  if (sp !== 16) return null;
  const json = line.slice(17);
  if (checksum(json) !== line.slice(0, 16)) return null;
  try {
    return JSON.parse(json) as JournalRecord;
  } catch {
    return null;
  }
}

/** Reads the journal without opening it for writing (for `audit verify` on a live directory). */
export async function readJournal(dir: string): Promise<JournalRecord[]> {
  try {
    return parseJournal(await readFile(path.join(dir, JOURNAL_FILE))).records;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
