import os from 'node:os';
import type { Config } from './config/schema.js';
import { serviceSelftest } from './admin/service-context.js';
import type { ConsoleDataSource, InboxEntry, QueueEntry, SelftestCheck } from './console/index.js';
import type { Core } from './core.js';
import type { DocumentView, ListResult } from './documents/types.js';
import type { DisplayService } from './display/index.js';
import type { AxisState, HsmState } from './events.js';
import { displayState, type StatusCache } from './main-status.js';
import { VERSION } from './version.js';

/**
 * The technician console's data (spec/serial.md), read from the core by the composition root.
 * The console only formats what it is given, so nothing here may return a secret.
 */
export interface ConsoleSourceDeps {
  config: Config;
  core: Core;
  cache: StatusCache;
  display: DisplayService | null;
  startedAt: number;
  axisEndpoint: () => string;
}

/** The technician console's data, read from the core. It never hands out a secret. */
export function consoleSource(d: ConsoleSourceDeps): ConsoleDataSource {
  const { core } = d;
  return {
    status: async () => {
      const h = await d.cache.refresh();
      const free = h.store.freeBytes;
      return {
        version: VERSION,
        uptimeSeconds: Math.floor((Date.now() - d.startedAt) / 1000),
        hsm: { state: h.hsm.state as HsmState },
        axis: { state: h.axis.state as AxisState, lastContactAt: h.axis.lastContactAt },
        display: displayState(d.config, d.display),
        queues: { outgoing: h.queue.outgoing, incoming: h.queue.incomingUnread, statusOut: d.cache.outbox.statusOut },
        overdue: h.queue.overdue,
        diskFreeBytes: free > 0 ? free : null,
      };
    },
    queue: async (n) => {
      // A listing is newest first, a page at most 200: page through every active outgoing
      // document, or after a day offline the oldest waiting ones would fall off the first page.
      const waiting: DocumentView[] = [];
      let cursor: string | null = null;
      do {
        const page: ListResult = await core.documents.list({ direction: 'outgoing', limit: 200, ...(cursor ? { cursor } : {}) });
        waiting.push(...page.items.filter((i) => i.state === 'queued' || i.state === 'signed'));
        cursor = page.nextCursor;
      } while (cursor);
      waiting.sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
      return waiting.slice(0, n).map(
        (i): QueueEntry => ({
          id: i.id,
          to: i.recipients.map((r) => r.organId).join(', '),
          subject: i.subject,
          attempts: i.relay?.attempts ?? 0,
          nextRetryAt: i.relay?.nextAttemptAt ?? null,
          ...(i.relay?.lastError ? { lastError: i.relay.lastError } : {}),
        }),
      );
    },
    inbox: async (n) => {
      const { items } = await core.documents.list({ direction: 'incoming', limit: n });
      return items.map(
        (i): InboxEntry => ({ id: i.id, from: i.from.name || i.from.organId, subject: i.subject, state: i.state, receivedAt: i.createdAt, urgent: i.priority >= 2 }),
      );
    },
    hsm: async () => {
      const info = await core.token.info();
      return {
        state: info.state,
        module: info.module,
        tokenLabel: info.tokenLabel,
        keyLabel: info.keyLabel,
        mechanism: info.mechanism,
        loggedIn: info.state === 'ready',
        certificate: info.certificate,
      };
    },
    net: async () => {
      const h = await d.cache.refresh();
      const lan = Object.values(os.networkInterfaces())
        .flatMap((l) => l ?? [])
        .filter((a) => !a.internal)
        .map((a) => a.address);
      return { axisEndpoint: d.axisEndpoint(), axisState: h.axis.state as AxisState, lastContactAt: h.axis.lastContactAt, lastError: h.axis.error, lanAddresses: lan };
    },
    selftest: () => selftest(d),
    retry: () => core.outbox.wake(),
    versions: () => ({ service: VERSION, node: process.version, displayFirmware: d.display?.health().firmware ?? null }),
  };
}

/**
 * The console's `selftest` runs the very checks of the CLI's (spec/serial.md): HSM sign + verify,
 * store write/read, display, axis reachability — one implementation in admin/service-context.ts.
 */
async function selftest(d: ConsoleSourceDeps): Promise<SelftestCheck[]> {
  const lines = await serviceSelftest({ core: d.core, config: d.config, display: d.display });
  return lines.map((l) => ({ name: l.check, ok: l.result !== 'fail', ...(l.result === 'skip' ? { skipped: true } : {}), detail: l.detail }));
}
