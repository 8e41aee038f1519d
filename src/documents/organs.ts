import type { Logger } from '../log/logger.js';
import { foldKey, parseOrganId } from '../domain/index.js';
import type { RelayAxis } from '../relay/outbox-axis.js';
import type { Store } from '../store/store.js';
import { C, type OrganRecord } from './records.js';
import type { OrganEntry } from './types.js';

/**
 * The agency directory, synced from the axis' `getAgenciesList` at start and then periodically,
 * and stored (the box may start while the axis is down; the last directory stays usable). Agencies
 * that disappeared from the list are removed in the same transaction.
 */
export class OrganDirectory {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly axis: RelayAxis,
    private readonly logger: Logger,
    private readonly intervalMs = 6 * 3_600_000,
  ) {}

  start(): void {
    void this.sync().catch(() => undefined);
    this.timer = setInterval(() => void this.sync().catch(() => undefined), this.intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Fetches the list and stores it; returns the number of agencies. */
  async sync(): Promise<number> {
    let list: { id: string; name: string }[];
    try {
      list = await this.axis.agencies();
    } catch (e) {
      this.logger.warn({ err: e }, 'agency directory sync failed; keeping the stored one');
      throw e;
    }
    const at = new Date().toISOString();
    const valid = list.flatMap((a) => {
      const p = parseOrganId(a.id);
      return p.ok ? [{ id: p.id, name: (a.name ?? '').normalize('NFC').trim() || p.id, syncedAt: at }] : [];
    });
    if (valid.length === 0) return 0; // an empty answer is more likely a fault than a directory
    const keep = new Set(valid.map((o) => o.id));
    await this.store.transaction((tx) => {
      const c = tx.collection<OrganRecord>(C.organs);
      for (const v of this.store.activeValues(C.organs)) {
        const id = (v as OrganRecord).id;
        if (!keep.has(id)) c.delete(id);
      }
      for (const o of valid) {
        const cur = c.get(o.id);
        if (!cur || cur.name !== o.name) c.put(o);
      }
    });
    return valid.length;
  }

  list(q?: string): OrganEntry[] {
    const needle = q && q.trim() ? foldKey(q) : null;
    const out: OrganEntry[] = [];
    for (const v of this.store.activeValues(C.organs)) {
      const o = v as OrganRecord;
      if (!needle || foldKey(`${o.id} ${o.name}`).includes(needle)) out.push({ id: o.id, name: o.name });
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
