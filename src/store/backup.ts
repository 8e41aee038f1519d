import { createReadStream, createWriteStream } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { AppError } from '../errors.js';
import { AUDIT_DIR, AUDIT_FILE, type AuditHead } from './audit.js';
import { verifyAudit } from './audit-verify.js';
import { commitTempFile, fsyncDir, unlinkQuiet, writeAllAt } from './fs-ops.js';
import { ARCHIVE_DIR, BLOBS_DIR } from './layout.js';
import { StateLock, liveLockHolder } from './lock.js';
import type { Store } from './store.js';
import { readTar, tarEnd, tarHeader, tarPadding } from './tar.js';

/**
 * Backup format: a gzip'd POSIX tar (`tar -tzf` lists it), file mode 0600, holding
 *   MANIFEST.json                  {"format":"edoc-gateway-backup","version":1,createdAt,auditHead,...}
 *   db/checkpoint.json, db/<collection>/<nn>.json   the active records at the snapshot
 *   audit/audit.jsonl              the audit log up to the snapshot's head
 *   archive/<collection>/…         archive partitions and index, up to the snapshot
 *   blobs/ab/cdef…                 every blob present at the snapshot
 * i.e. exactly a state directory after a clean shutdown (no journal, no lock, no temp files):
 * restoring is unpacking. The snapshot is consistent because it is captured with writes paused
 * just after a checkpoint; only the list of files, their lengths and the (small) active shards
 * are taken then. The copying happens after writes resume, which is safe because the audit log
 * and the archive only ever grow (we copy the length we recorded) and blobs never change.
 */
export const BACKUP_FORMAT = 'edoc-gateway-backup';

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  version: 1;
  createdAt: string;
  auditHead: AuditHead;
  files: number;
}

export interface BackupSummary {
  file: string;
  files: number;
  blobs: number;
  bytes: number;
  auditHead: AuditHead;
}

interface Capture {
  inline: { path: string; text: string }[];
  prefixes: { path: string; size: number }[];
  blobs: string[];
  auditHead: AuditHead;
}

/** Writes a consistent backup of a running store to `outFile` (atomically: temp + rename). */
export async function backupStore(store: Store, outFile: string): Promise<BackupSummary> {
  const cap = await store.exclusive(async ({ shardFiles }) => {
    const root = store.stateDir;
    const prefixes: Capture['prefixes'] = [{ path: `${AUDIT_DIR}/${AUDIT_FILE}`, size: (await stat(path.join(root, AUDIT_DIR, AUDIT_FILE))).size }];
    for (const rel of await walk(root, ARCHIVE_DIR)) prefixes.push({ path: rel, size: (await stat(path.join(root, rel))).size });
    const blobs = (await walk(root, BLOBS_DIR)).filter((rel) => BLOB_PATH.test(rel));
    return { inline: shardFiles(), prefixes, blobs, auditHead: store.auditHead } satisfies Capture;
  });
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    version: 1,
    createdAt: new Date().toISOString(),
    auditHead: cap.auditHead,
    files: cap.inline.length + cap.prefixes.length + cap.blobs.length,
  };
  const out = path.resolve(outFile);
  const tmp = path.join(path.dirname(out), `.${path.basename(out)}.${randomBytes(6).toString('hex')}.tmp`);
  let blobCount = 0;
  try {
    await pipeline(
      Readable.from(entries(store.stateDir, manifest, cap, () => blobCount++)),
      createGzip(),
      createWriteStream(tmp, { mode: 0o600, flags: 'wx' }),
    );
    await commitTempFile(tmp, out);
  } catch (e) {
    await unlinkQuiet(tmp);
    throw e;
  }
  return { file: out, files: manifest.files, blobs: blobCount, bytes: (await stat(out)).size, auditHead: cap.auditHead };
}

async function* entries(root: string, manifest: BackupManifest, cap: Capture, onBlob: () => void): AsyncGenerator<Buffer> {
  const mtime = Date.now() / 1000;
  const manifestBuf = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
  yield* inlineEntry('MANIFEST.json', manifestBuf, mtime);
  for (const f of cap.inline) yield* inlineEntry(f.path, Buffer.from(f.text, 'utf8'), mtime);
  for (const f of cap.prefixes) yield* fileEntry(await open(path.join(root, f.path), 'r'), f.path, f.size, mtime);
  for (const rel of cap.blobs) {
    // A blob deleted since the snapshot (a recall) is skipped; one still present never changes.
    const fh = await open(path.join(root, rel), 'r').catch(() => null);
    if (!fh) continue;
    onBlob();
    yield* fileEntry(fh, rel, (await fh.stat()).size, mtime);
  }
  yield tarEnd();
}

function* inlineEntry(name: string, data: Buffer, mtime: number): Generator<Buffer> {
  yield tarHeader({ name, size: data.length, mode: 0o600, mtime });
  yield data;
  yield tarPadding(data.length);
}

/** The first `size` bytes of an open file (append-only files may have grown since). */
async function* fileEntry(fh: FileHandle, name: string, size: number, mtime: number): AsyncGenerator<Buffer> {
  try {
    yield tarHeader({ name, size, mode: 0o600, mtime });
    let pos = 0;
    while (pos < size) {
      const buf = Buffer.alloc(Math.min(64 * 1024, size - pos));
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) throw new AppError('INTERNAL', `${name} shrank while being backed up`);
      pos += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
    yield tarPadding(size);
  } finally {
    await fh.close();
  }
}

/** Relative paths of the regular files under `root/sub`, sorted. */
async function walk(root: string, sub: string): Promise<string[]> {
  const out: string[] = [];
  let items;
  try {
    items = await readdir(path.join(root, sub), { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw e;
  }
  for (const it of items.sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = `${sub}/${it.name}`;
    if (it.isDirectory()) out.push(...(await walk(root, rel)));
    else if (it.isFile() && !it.name.endsWith('.tmp')) out.push(rel);
  }
  return out;
}

const BLOB_PATH = /^blobs\/([0-9a-f]{2})\/([0-9a-f]{62})$/;
/** The only names a backup may contain: anything else (../, absolute paths) is refused. */
const ALLOWED = [
  /^MANIFEST\.json$/,
  /^db\/checkpoint\.json$/,
  /^db\/[a-zA-Z][a-zA-Z0-9_-]{0,63}\/\d{2,3}\.json$/,
  /^audit\/audit\.jsonl$/,
  /^archive\/[a-zA-Z][a-zA-Z0-9_-]{0,63}\/\d{4}-\d{2}\.jsonl$/,
  /^archive\/[a-zA-Z][a-zA-Z0-9_-]{0,63}\/index\/[0-9a-f]{2}\.idx$/,
  BLOB_PATH,
];

export interface RestoreSummary {
  files: number;
  auditHead: AuditHead;
}

/**
 * Unpacks a backup into `into`, which must not exist or be empty, and must not be locked by a
 * running service. Blob contents are checked against their names and the audit chain is verified
 * before the restore counts as done; on any failure the target is emptied again.
 */
export async function restoreBackup(inFile: string, into: string): Promise<RestoreSummary> {
  const target = path.resolve(into);
  const holder = await liveLockHolder(target);
  if (holder) throw new AppError('STATE_LOCKED', `state directory is in use by process ${holder.pid}`, { pid: holder.pid });
  const existing = await readdir(target).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[];
    throw e;
  });
  if (existing.length > 0) throw new AppError('CONFLICT', `refusing to restore into a non-empty directory: ${target}`, { into: target });
  await mkdir(target, { recursive: true, mode: 0o700 });
  const lock = await StateLock.acquire(target);
  let files = 0;
  let manifest: BackupManifest | null = null;
  try {
    const dirs = new Set<string>([target]);
    for await (const entry of readTar(createReadStream(path.resolve(inFile)).pipe(createGunzip()))) {
      if (!ALLOWED.some((re) => re.test(entry.name))) throw new AppError('BAD_REQUEST', `unexpected file in backup: ${entry.name}`);
      if (files === 0 && entry.name !== 'MANIFEST.json') throw new AppError('BAD_REQUEST', 'not an edoc-gateway backup (no manifest)');
      const dest = path.join(target, entry.name);
      await mkdirTracked(path.dirname(dest), target, dirs);
      const sha = await writeEntry(dest, entry.body);
      const blob = BLOB_PATH.exec(entry.name);
      if (blob && blob[1]! + blob[2]! !== sha) throw new AppError('BAD_REQUEST', `blob ${entry.name} does not match its content`);
      if (entry.name === 'MANIFEST.json') manifest = await readManifest(dest);
      files++;
    }
    if (!manifest) throw new AppError('BAD_REQUEST', 'not an edoc-gateway backup (empty)');
    await unlinkQuiet(path.join(target, 'MANIFEST.json'));
    for (const d of [...dirs].sort((a, b) => b.length - a.length)) await fsyncDir(d);
    const audit = await verifyAudit(target);
    if (!audit.ok) throw new AppError('BAD_REQUEST', `restored audit chain is broken: ${audit.broken.reason}`, audit.broken);
    return { files: files - 1, auditHead: audit.head };
  } catch (e) {
    await lock.release();
    for (const name of await readdir(target)) await rm(path.join(target, name), { recursive: true, force: true });
    throw e;
  } finally {
    await lock.release();
  }
}

async function mkdirTracked(dir: string, root: string, dirs: Set<string>): Promise<void> {
  if (dirs.has(dir)) return;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (let d = dir; d !== root && !dirs.has(d); d = path.dirname(d)) dirs.add(d);
}

/** Writes one file (fsync'd) and returns the sha256 of its bytes. */
async function writeEntry(dest: string, body: AsyncGenerator<Buffer>): Promise<string> {
  const hash = createHash('sha256');
  const fh = await open(dest, 'wx', 0o600);
  let pos = 0;
  try {
    for await (const chunk of body) {
      hash.update(chunk);
      await writeAllAt(fh, chunk, pos);
      pos += chunk.length;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

async function readManifest(file: string): Promise<BackupManifest> {
  const fh = await open(file, 'r');
  try {
    const m = JSON.parse(await fh.readFile('utf8')) as BackupManifest;
    if (m.format !== BACKUP_FORMAT || m.version !== 1) throw new AppError('BAD_REQUEST', 'unsupported backup format');
    return m;
  } finally {
    await fh.close();
  }
}
