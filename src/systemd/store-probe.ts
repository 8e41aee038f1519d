import type { Store } from '../store/store.js';

/**
 * The watchdog's store check (watchdog.ts asks it every half WatchdogSec). A wedged store — an SD
 * card that stopped answering, an fsync that never returns — must stop the pings so systemd
 * restarts the service. Proving that with a durable write every 15 s would cost the SD card
 * ~6,000 small synced writes a day on an idle box, so the probe writes only when nothing else
 * has lately:
 * - the writer has been busy with one write for longer than `stuckAfterMs`: not alive;
 * - a write succeeded within `writeEveryMs`: alive (real traffic proved the disk);
 * - otherwise: a small durable write read back, as before (bounded by the watchdog's timeout).
 */
export interface StoreProbeOptions {
  /** A write running longer than this means the store is wedged. */
  stuckAfterMs: number;
  /** At least one real write this often, even on an idle box. Default 5 minutes. */
  writeEveryMs?: number;
  /** The store's clock (StoreOptions.now), in ms. */
  now?: () => number;
}

export function storeProbe(store: Pick<Store, 'writerProgress' | 'collection'>, opts: StoreProbeOptions): () => Promise<boolean> {
  const writeEveryMs = opts.writeEveryMs ?? 5 * 60_000;
  const now = opts.now ?? Date.now;
  return async () => {
    const p = store.writerProgress();
    if (p.runningForMs > opts.stuckAfterMs) return false;
    if (p.lastOkAt !== null && now() - p.lastOkAt < writeEveryMs) return true;
    const at = new Date(now()).toISOString();
    const meta = store.collection<{ id: string; at: string }>('meta');
    await meta.put({ id: 'liveness', at });
    return meta.getActive('liveness')?.at === at;
  };
}
