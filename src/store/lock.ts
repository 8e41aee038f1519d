import { link, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import { fsyncDir, unlinkQuiet } from './fs-ops.js';

export const LOCK_FILE = 'LOCK';

/**
 * Lock files this process holds. A lock naming our own pid that is not in here was left by an
 * earlier process that had the same pid — after a power cut the service often gets the same pid
 * again, and the boot id cannot tell when /proc/sys is hidden — so it is stale, not ours.
 */
const heldHere = new Set<string>();

/** What the lock file says about its owner. */
export interface LockHolder {
  pid: number;
  host: string;
  bootId: string | null;
  startedAt: string;
}

/**
 * Exclusive ownership of a state directory (invariant 2: one writer). The lock file is created
 * complete — written under a temp name, then hard-linked to `LOCK`, which fails if it exists —
 * so nobody ever sees an empty or half-written lock. A lock is stale when its pid is not running
 * on this boot (the boot id guards against a pid reused after a reboot); a stale lock is broken.
 */
export class StateLock {
  private released = false;

  private constructor(
    readonly file: string,
    readonly holder: LockHolder,
    private readonly text: string,
  ) {}

  static async acquire(stateDir: string): Promise<StateLock> {
    const file = path.resolve(stateDir, LOCK_FILE);
    const holder: LockHolder = { pid: process.pid, host: hostname(), bootId: await bootId(), startedAt: new Date().toISOString() };
    const text = JSON.stringify(holder) + '\n';
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await createExclusive(file, text)) {
        heldHere.add(file);
        await fsyncDir(stateDir);
        await removeDeadLeftovers(stateDir);
        return new StateLock(file, holder, text);
      }
      const current = await readHolder(file);
      if (current && (await isAlive(current.holder, file))) {
        throw new AppError('STATE_LOCKED', `state directory is in use by process ${current.holder.pid}`, {
          stateDir,
          pid: current.holder.pid,
          host: current.holder.host,
          since: current.holder.startedAt,
        });
      }
      if (current) await breakStale(file, current.text);
    }
    throw new AppError('STATE_LOCKED', 'could not take the state lock (contended)', { stateDir });
  }

  /** Removes the lock if it is still ours. Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.file);
    try {
      if ((await readFile(this.file, 'utf8')) !== this.text) return;
    } catch {
      return;
    }
    await unlinkQuiet(this.file);
    await fsyncDir(path.dirname(this.file)).catch(() => undefined);
  }
}

/** Who holds the lock of `stateDir`, if a live process does (for the CLI: is the service up?). */
export async function liveLockHolder(stateDir: string): Promise<LockHolder | null> {
  const file = path.resolve(stateDir, LOCK_FILE);
  const current = await readHolder(file);
  return current && (await isAlive(current.holder, file)) ? current.holder : null;
}

async function createExclusive(file: string, text: string): Promise<boolean> {
  const tmp = `${file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, text, { mode: 0o600, flush: true });
  try {
    await link(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await unlinkQuiet(tmp);
  }
}

async function readHolder(file: string): Promise<{ holder: LockHolder; text: string } | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    if (Number.isInteger(h.pid) && h.pid > 0) return { holder: h, text };
  } catch {
    /* unreadable: treated as stale below (we never write a partial lock) */
  }
  return { holder: { pid: 0, host: '', bootId: null, startedAt: '' }, text };
}

/** `file`: the lock file the holder was read from (a temp file of an acquire has none). */
async function isAlive(h: LockHolder, file?: string): Promise<boolean> {
  if (h.pid <= 0) return false;
  if (h.host !== hostname()) return true; // another machine (shared disk): never break it
  const boot = await bootId();
  if (h.bootId && boot && h.bootId !== boot) return false;
  if (file && h.pid === process.pid) return heldHere.has(file);
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Moves the stale lock aside, then checks it really is the one judged stale: if another process
 * broke it and took a fresh lock in between, that fresh lock is put back untouched.
 */
async function breakStale(file: string, staleText: string): Promise<void> {
  const aside = `${file}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  if (moved !== staleText) await link(aside, file).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/** Temp and moved-aside lock files of processes that died mid-acquire (never of live ones). */
async function removeDeadLeftovers(stateDir: string): Promise<void> {
  for (const name of await readdir(stateDir)) {
    const m = /^LOCK\.(\d+)-[0-9a-f]+\.tmp$/.exec(name);
    if (m && m[1] !== String(process.pid) && !(await isAlive({ pid: Number(m[1]), host: hostname(), bootId: null, startedAt: '' }))) {
      await unlinkQuiet(path.join(stateDir, name));
    }
  }
}

let cachedBootId: string | null | undefined;
async function bootId(): Promise<string | null> {
  if (cachedBootId === undefined) {
    cachedBootId = await readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
      (s) => s.trim(),
      () => null,
    );
  }
  return cachedBootId;
}
