import os from 'node:os';
import type { Config } from './config/schema.js';
import type { Core, CoreHealth } from './core.js';
import type { DisplayService, DisplayStatusSnapshot } from './display/index.js';
import type { AxisState, DeviceState, EventBus, HsmState } from './events.js';
import type { Health } from './http/health.js';
import type { Logger } from './log/logger.js';
import { VERSION } from './version.js';

/**
 * What the composition root derives from the core for the people-facing parts: the health
 * document, the display's status snapshot and the console's data source. Kept apart from main.ts
 * so the wiring stays readable; nothing here holds state of its own except a cached copy of the
 * core's health, which the display reads synchronously on every render. The console's data source
 * is in main-console.ts.
 */
/** The relay queue as the display and console show it, read from the store's active outbox. */
export interface OutboxSummary {
  /** Outgoing documents (edoc packages) not yet accepted by the axis. */
  pending: number;
  /** Of those, the ones that failed an attempt and wait for a retry. */
  retrying: number;
  oldestPendingAt: string | null;
  /** Status packages (01–16) waiting to go out. */
  statusOut: number;
}

export class StatusCache {
  private last: CoreHealth | null = null;
  private lastOutbox: OutboxSummary = { pending: 0, retrying: 0, oldestPendingAt: null, statusOut: 0 };
  private refreshing: Promise<CoreHealth> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly core: Core, private readonly logger: Logger) {}

  /** Refresh now and on every bus event (coalesced), plus a slow timer for time-based changes. */
  start(bus: EventBus, everyMs = 5000): Promise<CoreHealth> {
    this.unsubscribe = bus.subscribeAll(() => void this.refresh());
    this.timer = setInterval(() => void this.refresh(), everyMs);
    this.timer.unref();
    return this.refresh();
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  refresh(): Promise<CoreHealth> {
    this.refreshing ??= this.core
      .health()
      .then((h) => {
        this.lastOutbox = outboxSummary(this.core);
        return (this.last = h);
      })
      .catch((e: unknown) => {
        this.logger.warn({ err: e }, 'health snapshot failed');
        return this.last ?? fallbackHealth(this.core);
      })
      .finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  get current(): CoreHealth {
    return this.last ?? fallbackHealth(this.core);
  }

  get outbox(): OutboxSummary {
    return this.lastOutbox;
  }
}

interface OutboxRow {
  messageType: 'edoc' | 'status';
  attempts: number;
  createdAt: string;
}

/** One pass over the active outbox (bounded: sent entries leave it). Read-only. */
export function outboxSummary(core: Core): OutboxSummary {
  const out: OutboxSummary = { pending: 0, retrying: 0, oldestPendingAt: null, statusOut: 0 };
  for (const v of core.store.activeValues('outbox')) {
    const e = v as OutboxRow;
    if (e.messageType === 'status') {
      out.statusOut++;
      continue;
    }
    out.pending++;
    if (e.attempts > 0) out.retrying++;
    if (out.oldestPendingAt === null || e.createdAt < out.oldestPendingAt) out.oldestPendingAt = e.createdAt;
  }
  return out;
}

function fallbackHealth(core: Core): CoreHealth {
  return {
    hsm: { state: core.token.state() },
    axis: { state: 'unknown', lastContactAt: null, error: null },
    store: { state: 'ok', freeBytes: 0 },
    queue: { outgoing: 0, failed: 0, incomingUnread: 0, overdue: 0 },
  };
}

/**
 * The display state health reports. A configured display that is not talking to us is
 * `disconnected` whatever the reason (never plugged in, unplugged, hung): someone should look.
 * `absent` means no display is configured, which is normal.
 */
export function displayState(config: Config, display: DisplayService | null): DeviceState {
  if (!config.display || !display) return 'absent';
  return display.state() === 'connected' ? 'connected' : 'disconnected';
}

const HSM_BROKEN = new Set(['down', 'locked', 'pin-incorrect']);

/** The `/api/v1/health` document from the core, the display and the configuration. */
export function assembleHealth(h: CoreHealth, display: DeviceState, displayConfigured: boolean): Health {
  let status: Health['status'] = 'ok';
  // Down = nothing can be accepted durably; everything else still serves reads and queues work.
  if (h.store.state === 'error') status = 'down';
  else if (
    HSM_BROKEN.has(h.hsm.state) ||
    h.hsm.state === 'starting' ||
    h.store.state === 'full' ||
    h.axis.state === 'unreachable' ||
    h.axis.state === 'refused' ||
    (displayConfigured && display !== 'connected')
  ) {
    status = 'degraded';
  }
  return {
    status,
    version: VERSION,
    hsm: { state: h.hsm.state },
    axis: { state: h.axis.state, lastContactAt: h.axis.lastContactAt },
    display: { state: display },
    store: { state: h.store.state, freeBytes: h.store.freeBytes },
    queue: { outgoing: h.queue.outgoing, failed: h.queue.failed, incomingUnread: h.queue.incomingUnread },
  };
}

/** The display's view of the service (asked on every render, so it must be synchronous). */
export function displaySnapshot(cache: StatusCache, lanAddress: string | null): DisplayStatusSnapshot {
  const h = cache.current;
  const q = cache.outbox;
  return {
    hsm: h.hsm.state as HsmState,
    axis: h.axis.state as AxisState,
    axisLastContactAt: h.axis.lastContactAt,
    axisError: h.axis.error,
    queue: { pending: q.pending, retrying: q.retrying, oldestPendingAt: q.oldestPendingAt },
    overdue: h.queue.overdue,
    incomingUnread: h.queue.incomingUnread,
    store: h.store.state,
    lanAddress,
  };
}

/** The first non-internal IPv4 address: what staff type into the browser. */
export function lanAddress(): string | null {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}
