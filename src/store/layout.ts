import path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { AuditHead } from './audit.js';

/**
 * Where things live in the state directory (documented here once; backup and restore rely on it):
 *
 *   LOCK                         owner of the directory (lock.ts)
 *   db/checkpoint.json           format, shard count, last checkpointed tx and audit head
 *   db/journal.jsonl             commits since the last checkpoint (journal.ts)
 *   db/<collection>/<nn>.json    active records, sharded lowdb files (shards.ts)
 *   archive/<collection>/...     finished records, append-only (archive.ts)
 *   audit/audit.jsonl            hash-chained audit log (audit.ts)
 *   blobs/ab/cdef…               content-addressed files (blobs.ts); blobs/tmp/ for uploads
 */
export const DB_DIR = 'db';
export const ARCHIVE_DIR = 'archive';
export const BLOBS_DIR = 'blobs';
export const CHECKPOINT_FILE = 'checkpoint.json';
export const STORE_FORMAT = 1;

/** Contents of `db/checkpoint.json`. */
export interface Checkpoint {
  format: number;
  /** Files per collection; fixed when the directory is created. */
  shards: number;
  /** Last transaction whose effects are in the shard files. */
  tx: number;
  /** Audit head when the checkpoint was taken: the log must never end before it. */
  audit: AuditHead;
  at: string;
}

export function dbDir(stateDir: string): string {
  return path.join(stateDir, DB_DIR);
}

/** Reads the checkpoint without the store (audit verify on a live or stopped directory). */
export async function readCheckpoint(stateDir: string): Promise<Checkpoint | null> {
  try {
    return JSON.parse(await readFile(path.join(dbDir(stateDir), CHECKPOINT_FILE), 'utf8')) as Checkpoint;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

const COLLECTION_NAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;

export function isCollectionName(name: string): boolean {
  return COLLECTION_NAME.test(name);
}

/** Record ids go into file lines and index columns: no control characters, bounded length. */
export function isRecordId(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= 256 && !/[\u0000-\u001f\u007f]/.test(id);
}
