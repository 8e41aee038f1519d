import { statfs } from 'node:fs/promises';
import { AppError } from '../errors.js';

export const DEFAULT_RESERVE_BYTES = 64 * 1024 * 1024;

export interface FreeSpaceOptions {
  /** Bytes kept free for the journal, checkpoints and the audit log: new data stops before this. */
  reserveBytes?: number;
  /** How long a statfs result may be reused; writes are frequent, free space changes slowly. */
  cacheMs?: number;
}

/**
 * Free space of the filesystem holding the state directory. The guard refuses new data with
 * STORAGE_FULL while there is still a reserve left, so the writes that keep the store consistent
 * (checkpoints, audit entries of the refusal itself) do not hit ENOSPC first. Real ENOSPC/EDQUOT
 * during a write are mapped to the same error by the writers (fs-ops.ts), as a backstop.
 */
export class FreeSpace {
  readonly reserveBytes: number;
  private readonly cacheMs: number;
  private cached: { at: number; free: number } | null = null;

  constructor(
    readonly dir: string,
    opts: FreeSpaceOptions = {},
  ) {
    this.reserveBytes = opts.reserveBytes ?? DEFAULT_RESERVE_BYTES;
    this.cacheMs = opts.cacheMs ?? 1000;
  }

  /** Bytes available to this (unprivileged-equivalent) user on the state filesystem. */
  async freeBytes(): Promise<number> {
    const s = await statfs(this.dir);
    const free = Number(s.bavail) * Number(s.bsize);
    this.cached = { at: Date.now(), free };
    return free;
  }

  /** Throws STORAGE_FULL unless `bytes` fit and the reserve stays free. */
  async assertSpaceFor(bytes: number): Promise<void> {
    const c = this.cached;
    const free = c && Date.now() - c.at < this.cacheMs ? c.free : await this.freeBytes();
    if (free - bytes < this.reserveBytes) {
      // Re-measure before refusing: the cached figure may predate a deletion.
      const fresh = c ? await this.freeBytes() : free;
      if (fresh - bytes < this.reserveBytes) {
        throw new AppError('STORAGE_FULL', 'not enough free space on the state filesystem', {
          freeBytes: fresh,
          neededBytes: bytes,
          reserveBytes: this.reserveBytes,
        });
      }
    }
    if (this.cached) this.cached.free -= bytes;
  }
}
