import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Config } from './config/schema.js';
import { isEmbeddedAxis } from './config/schema.js';
import type { ConsoleDataSource, InboxEntry, QueueEntry, SelftestCheck } from './console/index.js';
import type { Core } from './core.js';
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
  probe: () => Promise<boolean>;
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
      const { items } = await core.documents.list({ direction: 'outgoing', limit: 200 });
      const waiting = items.filter((i) => i.state === 'queued' || i.state === 'signed').sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
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

async function selftest(d: ConsoleSourceDeps): Promise<SelftestCheck[]> {
  const checks: SelftestCheck[] = [];
  const run = async (name: string, fn: () => Promise<string>): Promise<void> => {
    try {
      checks.push({ name, ok: true, detail: await fn() });
    } catch (e) {
      checks.push({ name, ok: false, detail: (e as Error).message });
    }
  };
  await run('hsm sign', async () => {
    const sig = await d.core.token.signDigest(randomBytes(32));
    return `${d.core.token.mechanism}, ${sig.length}-byte signature`;
  });
  await run('store write/read', async () => {
    if (!(await d.probe())) throw new Error('the store did not answer');
    return 'ok';
  });
  await run('display ping', async () => {
    const s = displayState(d.config, d.display);
    if (s === 'disconnected') throw new Error('display not answering');
    return s;
  });
  await run('axis', async () => {
    const h = await d.cache.refresh();
    if (h.axis.state === 'unreachable' || h.axis.state === 'refused') throw new Error(h.axis.error ?? h.axis.state);
    return `${h.axis.state}${isEmbeddedAxis(d.config.axis) ? ' (embedded simulator)' : ''}`;
  });
  return checks;
}
