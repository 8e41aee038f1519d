import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '../../src/store/store.js';
import { C } from '../../src/documents/records.js';
import { isAppError } from '../../src/errors.js';

/**
 * What a refused request must not leave behind (test/bad-input/, test/fault/): blobs, records,
 * audit entries, and upload temp files. Compare two snapshots with `t.same`. (Outbox entries are
 * left out on purpose: earlier, accepted documents leave the outbox whenever they are sent.)
 */
export interface StateSnapshot {
  blobs: number;
  outgoing: number;
  incoming: number;
  auditLines: number;
  /** Files left in the upload and blob temp directories. */
  tempFiles: string[];
}

async function files(dir: string, skip: (rel: string) => boolean = () => false, base = dir): Promise<string[]> {
  let out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    const rel = path.relative(base, p);
    if (skip(rel)) continue;
    if (e.isDirectory()) out = out.concat(await files(p, skip, base));
    else out.push(rel);
  }
  return out;
}

export async function snapshot(store: Store, extraTempDirs: string[] = []): Promise<StateSnapshot> {
  const dir = store.stateDir;
  let auditLines = 0;
  try {
    auditLines = (await readFile(path.join(dir, 'audit', 'audit.jsonl'), 'utf8')).split('\n').filter(Boolean).length;
  } catch {
    /* no audit yet */
  }
  const temp: string[] = [];
  for (const d of [path.join(dir, 'tmp', 'uploads'), path.join(dir, 'blobs', 'tmp'), ...extraTempDirs]) temp.push(...(await files(d)).map((f) => path.join(d, f)));
  return {
    blobs: (await files(path.join(dir, 'blobs'), (rel) => rel === 'tmp')).length,
    outgoing: store.activeCount(C.outgoing),
    incoming: store.activeCount(C.incoming),
    auditLines,
    tempFiles: temp,
  };
}

/** The error code a promise rejects with: `OK` when it resolves, `UNTYPED …` for a non-AppError (a bug). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    return isAppError(e) ? e.code : `UNTYPED ${(e as Error)?.name}: ${(e as Error)?.message}`;
  }
}
