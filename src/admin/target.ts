import { copyFile, rm } from 'node:fs/promises';
import { commitTempFile } from '../store/fs-ops.js';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Auth } from '../auth/index.js';
import type { Config } from '../config/schema.js';
import { isEmbeddedAxis } from '../config/schema.js';
import { buildReport } from '../documents/report.js';
import { AppError } from '../errors.js';
import { openToken } from '../hsm/graphene-token.js';
import type { Logger } from '../log/logger.js';
import { loadTrustStore } from '../signing/certificates.js';
import { liveLockHolder } from '../store/lock.js';
import { Store } from '../store/store.js';
import { AdminClient } from './client.js';
import { runOp, type AdminContext } from './ops.js';
import { runSelftest } from './selftest.js';
import { adminSocketCandidates } from './socket-path.js';

/**
 * Where a CLI command runs its admin operation: through the running service's admin socket, or —
 * when no service holds the state lock — in this process, with the lock taken here so the
 * service cannot start meanwhile (invariant 2: one writer). When a service runs but its socket
 * does not answer, the command says so and stops rather than touching the state.
 */
export interface AdminTarget {
  mode: 'service' | 'local';
  call(op: string, args?: Record<string, unknown>): Promise<unknown>;
  callToFile(op: string, args: Record<string, unknown>, outFile: string): Promise<unknown>;
  close(): Promise<void>;
}

export interface TargetOptions {
  stateDir: string;
  /** The configuration when one was loaded (report, selftest and hsm info need it locally). */
  config: Config | null;
  env: NodeJS.ProcessEnv;
  logger: Logger;
}

export async function openAdminTarget(o: TargetOptions): Promise<AdminTarget> {
  const holder = await liveLockHolder(o.stateDir);
  if (holder) {
    for (const p of adminSocketCandidates(o.stateDir, o.env)) {
      const client = await AdminClient.connect(p).catch(() => null);
      if (!client) continue;
      return {
        mode: 'service',
        call: (op, args = {}) => client.call(op, args),
        callToFile: (op, args, out) => client.callToFile(op, args, out),
        close: async () => client.close(),
      };
    }
    throw new AppError('STATE_LOCKED', `the service (pid ${holder.pid}) holds the state directory but its admin socket does not answer (tried ${adminSocketCandidates(o.stateDir, o.env).join(', ')}); nothing was changed`, {
      pid: holder.pid,
    });
  }
  const store = await Store.open({ stateDir: o.stateDir, logger: o.logger });
  const ctx = localContext(store, o);
  return {
    mode: 'local',
    call: async (op, args = {}) => (await runOp(op, args, ctx)).result,
    callToFile: async (op, args, out) => {
      const r = await runOp(op, args, ctx);
      if (r.file) await moveDurably(r.file, out);
      return r.result;
    },
    close: () => store.close(),
  };
}

function localContext(store: Store, o: TargetOptions): AdminContext {
  const c = o.config;
  const withToken = async <T>(fn: (t: Awaited<ReturnType<typeof openToken>>) => Promise<T>): Promise<T> => {
    if (!c) throw new AppError('CONFIG_INVALID', 'this needs the configuration (--config) to find the HSM');
    const token = await openToken(c.hsm, { logger: o.logger, probeIntervalMs: 0 });
    try {
      return await fn(token);
    } finally {
      await token.close();
    }
  };
  return {
    store,
    auth: new Auth({ store, logger: o.logger }),
    logger: o.logger,
    report: (q) =>
      buildReport(store, q, {
        now: new Date(),
        receiptDeadlineHours: c?.relay.receiptDeadlineHours ?? 8,
        organ: c?.organ ?? { id: '', name: '' },
      }),
    hsmInfo: () => withToken((t) => t.info()),
    selftest: async () => {
      const axisUrl = c && !isEmbeddedAxis(c.axis) ? c.axis.endpoint : null;
      if (!c) return runSelftest({ store, skipReason: 'no configuration given' });
      const trust = await loadTrustStore(c.trust.anchors).catch(() => null);
      const run = (token: Awaited<ReturnType<typeof openToken>> | null) =>
        runSelftest({ store, token, trust, display: null, axisUrl, skipReason: 'the service is not running (the display and the embedded axis belong to it)' });
      return withToken((t) => run(t)).catch(async (e: unknown) => {
        const lines = await run(null);
        lines[0] = { check: 'hsm', result: 'fail', detail: (e as Error).message.slice(0, 200), ms: 0 };
        return lines;
      });
    },
  };
}

/** Copy to the destination's directory, fsync, rename: the backup file appears whole or not at all. */
async function moveDurably(from: string, to: string): Promise<void> {
  const out = path.resolve(to);
  const tmp = path.join(path.dirname(out), `.${path.basename(out)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await copyFile(from, tmp);
    await commitTempFile(tmp, out);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    await rm(from, { force: true });
  }
}
