import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config/schema.js';
import { isEmbeddedAxis } from './config/schema.js';
import { readSecretFile } from './config/secrets.js';
import type { EventBus } from './events.js';
import type { Logger } from './log/logger.js';
import type { SigningToken } from './hsm/port.js';
import { openToken } from './hsm/graphene-token.js';
import { loadTrustStore } from './signing/certificates.js';
import type { TrustStore } from './signing/types.js';
import { Store } from './store/store.js';
import type { AxisPort } from './relay/axis-port.js';
import { VpcpAxis } from './relay/vpcp/index.js';
import { AxisStatus, relayAxisFrom, type RelayAxis } from './relay/outbox-axis.js';
import { Outbox } from './relay/outbox.js';
import { Inbox } from './relay/inbox.js';
import { OverdueWatcher } from './relay/overdue.js';
import { Webhooks } from './relay/webhooks.js';
import { cleanWorkDir } from './relay/status-packages.js';
import type { BackoffPolicy } from './relay/backoff.js';
import { Documents } from './documents/service.js';
import { OrganDirectory } from './documents/organs.js';
import { Archiver } from './documents/archiver.js';
import { queueSnapshot } from './documents/report.js';
import { viewContext, type DocumentsDeps } from './documents/context.js';
import type { DocumentsService, QueueSnapshot } from './documents/types.js';
import type { AxisSim } from './axis-sim/index.js';

/**
 * Builds the service core — store, token, trust, axis adapter, the documents use cases and the
 * relay workers — and wires them together. No HTTP here: main.ts passes `core.documents` to the
 * HTTP layer (and the console), and `core.health()` to the health route.
 *
 * Anything given in `opts` (store, token, axis, trust) is used as is and NOT closed by `stop()`:
 * the caller owns it. What the core opens itself, it closes.
 */
export interface CoreOptions {
  config: Config;
  logger: Logger;
  bus: EventBus;
  store?: Store;
  token?: SigningToken;
  axis?: AxisPort;
  trust?: TrustStore;
  /** Test and bench knobs. */
  tuning?: {
    outboxConcurrency?: number;
    outboxBackoff?: BackoffPolicy;
    webhookBackoff?: BackoffPolicy;
    overdueIntervalMs?: number;
    organSyncMs?: number;
    /** Days a finished document stays active before it is archived (default 30). */
    archiveRetainDays?: number;
  };
  now?: () => Date;
}

export interface CoreHealth {
  hsm: { state: string };
  axis: { state: string; lastContactAt: string | null; error: string | null };
  store: { state: 'ok' | 'full' | 'error'; freeBytes: number };
  queue: QueueSnapshot;
}

export interface Core {
  documents: DocumentsService;
  health(): Promise<CoreHealth>;
  outbox: Outbox;
  inbox: Inbox;
  overdue: OverdueWatcher;
  organs: OrganDirectory;
  archiver: Archiver;
  store: Store;
  token: SigningToken;
  /** The embedded simulator when `axis.embedded` (its URL, stats and fault knobs). */
  embeddedAxis: EmbeddedAxis | null;
  stop(): Promise<void>;
}

/** Package bound for the inbox: the upload limit in base64 (+33 %) plus room for the envelope. */
export function maxPackageBytes(maxUploadBytes: number): number {
  return Math.ceil(maxUploadBytes * 1.37) + 1024 * 1024;
}

export async function createCore(opts: CoreOptions): Promise<Core> {
  const { config, logger, bus } = opts;
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch((e: unknown) => logger.warn({ err: e }, 'core: closing a part failed'));
    closers.length = 0;
  };
  try {
    // Store, token and trust anchors do not depend on each other: open them side by side (the
    // token's login and the store's reads overlap instead of adding up). Whatever opened is
    // registered for closing before a failure of another part is rethrown.
    const [storeR, tokenR, trustR] = await Promise.allSettled([
      opts.store ?? Store.open({ stateDir: config.stateDir, logger, events: bus }),
      opts.token ?? openToken(config.hsm, { logger, bus }),
      opts.trust ?? loadTrustStore(config.trust.anchors),
    ]);
    if (!opts.store && storeR.status === 'fulfilled') closers.push(() => storeR.value.close());
    if (!opts.token && tokenR.status === 'fulfilled') closers.push(() => tokenR.value.close());
    for (const r of [storeR, tokenR, trustR]) if (r.status === 'rejected') throw r.reason;
    const store = (storeR as PromiseFulfilledResult<Store>).value;
    const token = (tokenR as PromiseFulfilledResult<SigningToken>).value;
    const trust = (trustR as PromiseFulfilledResult<TrustStore>).value;
    await cleanWorkDir(store);

    let embedded: EmbeddedAxis | null = null;
    let port: AxisPort;
    if (opts.axis) port = opts.axis;
    else if (isEmbeddedAxis(config.axis)) {
      embedded = await startEmbeddedAxis(config, store.stateDir, logger);
      closers.push(() => embedded!.close());
      port = embedded.port;
    } else {
      const secret = await readSecretFile(config.axis.secretFile, 'axis secret');
      const vpcp = new VpcpAxis({ endpoint: config.axis.endpoint, systemId: config.axis.systemId, secret, logger });
      closers.push(() => vpcp.close());
      port = vpcp;
    }
    const axis: RelayAxis = relayAxisFrom(port);
    const pollSeconds = config.axis.pollSeconds ?? 120;
    const axisStatus = new AxisStatus(bus, opts.now);
    const t = opts.tuning ?? {};

    const outbox = new Outbox({
      store, axis, bus, logger, axisStatus,
      maxOfflineHours: config.relay.maxOfflineHours,
      ...(t.outboxConcurrency !== undefined ? { concurrency: t.outboxConcurrency } : {}),
      ...(t.outboxBackoff ? { backoff: t.outboxBackoff } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    });
    const inbox = new Inbox({
      store, axis, bus, logger, trust, axisStatus, pollSeconds,
      organ: config.organ,
      policy: { organId: config.organ.id, acceptUnsigned: config.policy.acceptUnsigned },
      limits: { maxPackageBytes: maxPackageBytes(config.limits.maxUploadBytes), maxAttachments: config.limits.maxAttachments },
      onQueued: () => outbox.notify(),
      ...(opts.now ? { now: opts.now } : {}),
    });
    const overdue = new OverdueWatcher({
      store, bus, logger,
      receiptDeadlineHours: config.relay.receiptDeadlineHours,
      ...(t.overdueIntervalMs !== undefined ? { maxIntervalMs: t.overdueIntervalMs } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    });
    const organs = new OrganDirectory(store, axis, logger, t.organSyncMs);
    const webhooks = new Webhooks({ store, bus, logger, hooks: config.webhooks, ...(t.webhookBackoff ? { backoff: t.webhookBackoff } : {}) });
    const deps: DocumentsDeps = { config, store, token, trust, bus, logger, onQueued: () => outbox.notify(), ...(opts.now ? { now: opts.now } : {}) };
    const documents = new Documents(deps, organs);
    const archiver = new Archiver({ store, logger, ...(t.archiveRetainDays !== undefined ? { retainDays: t.archiveRetainDays } : {}), ...(opts.now ? { now: opts.now } : {}) });

    await webhooks.start();
    closers.push(() => webhooks.stop());
    outbox.start();
    closers.push(() => outbox.stop());
    inbox.start();
    closers.push(() => inbox.stop());
    overdue.start();
    closers.push(async () => overdue.stop());
    organs.start();
    closers.push(async () => organs.stop());
    archiver.start();
    closers.push(async () => archiver.stop());

    const health = async (): Promise<CoreHealth> => {
      const freeBytes = await store.space.freeBytes().catch(() => 0);
      return {
        hsm: { state: token.state() },
        axis: { state: axisStatus.state, lastContactAt: axisStatus.lastContactAt, error: axisStatus.error },
        store: { state: freeBytes > store.space.reserveBytes ? 'ok' : 'full', freeBytes },
        queue: queueSnapshot(store, viewContext(deps)),
      };
    };
    let stopping: Promise<void> | null = null;
    return {
      documents, health, outbox, inbox, overdue, organs, archiver, store, token, embeddedAxis: embedded,
      stop: () => (stopping ??= closeAll()),
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

/** The embedded axis' secret for this organ: generated once, kept in the state dir (0600). */
export async function embeddedSecret(stateDir: string): Promise<string> {
  const dir = path.join(stateDir, 'axis-sim');
  const file = path.join(dir, 'secret');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    const s = (await readFile(file, 'utf8')).trim();
    if (s) return s;
  } catch {
    /* first start */
  }
  const secret = randomBytes(32).toString('base64');
  await writeFile(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/** The in-process simulator of `axis: { embedded: true }` and this organ's adapter to it. */
export interface EmbeddedAxis {
  sim: AxisSim;
  port: AxisPort;
  close(): Promise<void>;
}

async function startEmbeddedAxis(config: Config, stateDir: string, logger: Logger): Promise<EmbeddedAxis> {
  // Loaded only for `axis.embedded` (the demo): an appliance talking to the real axis never needs it.
  const { startAxisSim } = await import('./axis-sim/index.js');
  const secret = await embeddedSecret(stateDir);
  const sim = await startAxisSim({
    listen: { host: '127.0.0.1', port: 0 },
    stateDir: path.join(stateDir, 'axis-sim', 'state'),
    agencies: [{ id: config.organ.id, name: config.organ.name, secret }],
    logger: logger.child({ part: 'axis-sim' }),
  });
  const port = new VpcpAxis({ endpoint: sim.url, systemId: config.organ.id, secret, logger });
  return {
    sim,
    port,
    close: async () => {
      await port.close();
      await sim.close();
    },
  };
}
