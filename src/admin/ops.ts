import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Auth } from '../auth/index.js';
import { checkRole } from '../auth/index.js';
import { AppError } from '../errors.js';
import type { ReportQuery, ReportSummary } from '../documents/types.js';
import type { TokenInfo } from '../hsm/port.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import { backupStore, verifyAudit } from '../store/index.js';
import type { AdminOp } from './protocol.js';
import type { SelftestLine } from './selftest.js';

/**
 * The admin operations, shared by the socket server (the running service) and the CLI's local
 * mode (service stopped, state lock taken by the CLI): one implementation, two transports.
 */
export interface AdminContext {
  store: Store;
  auth: Auth;
  logger: Logger;
  report(q: ReportQuery): Promise<ReportSummary>;
  selftest(): Promise<SelftestLine[]>;
  /** Absent when no token is open (local mode opens one on demand). */
  hsmInfo(): Promise<TokenInfo>;
}

export interface OpResult {
  result: unknown;
  /** A temp file whose bytes follow the answer (backup); removed after sending. */
  file?: string;
}

type Handler = (args: Record<string, unknown>, ctx: AdminContext) => Promise<OpResult>;

function str(args: Record<string, unknown>, name: string): string {
  const v = args[name];
  if (typeof v !== 'string' || v === '') throw new AppError('BAD_REQUEST', `missing ${name}`);
  return v;
}

const actor = (args: Record<string, unknown>): string => `cli:${typeof args['by'] === 'string' ? args['by'].slice(0, 64) : 'unknown'}`;
const ok = async (result: unknown): Promise<OpResult> => ({ result });

const HANDLERS: Record<AdminOp, Handler> = {
  ping: async (_a, ctx) => ok({ pid: process.pid, stateDir: ctx.store.stateDir }),
  'user.add': async (a, ctx) => ok(await ctx.auth.addUser(str(a, 'username'), checkRole(a['role']), str(a, 'password'), actor(a))),
  'user.list': async (_a, ctx) => ok(ctx.auth.users.list()),
  'user.disable': async (a, ctx) => ok(await ctx.auth.disableUser(str(a, 'username'), actor(a))),
  'user.passwd': async (a, ctx) => ok(await ctx.auth.setPassword(str(a, 'username'), str(a, 'password'), actor(a))),
  'apikey.create': async (a, ctx) => ok(await ctx.auth.apiKeys.create(str(a, 'name'), checkRole(a['role']), actor(a))),
  'apikey.list': async (_a, ctx) => ok(ctx.auth.apiKeys.list()),
  'apikey.revoke': async (a, ctx) => ok(await ctx.auth.apiKeys.revoke(str(a, 'name'), actor(a))),
  backup: async (a, ctx) => {
    // Written inside the state dir's tmp (same disk, never RAM) and streamed to the client, which
    // writes the file it was asked for: the service never writes to a path a client names.
    const dir = path.join(ctx.store.stateDir, 'tmp', 'admin');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, `backup-${randomUUID()}.tgz`);
    const s = await backupStore(ctx.store, file);
    await ctx.store.audit({ event: 'backup', actor: actor(a), data: { files: s.files, bytes: s.bytes, auditHead: s.auditHead } });
    return { result: { files: s.files, blobs: s.blobs, bytes: s.bytes, auditHead: s.auditHead }, file };
  },
  report: async (a, ctx) => ok(await ctx.report({ from: str(a, 'from'), to: str(a, 'to') })),
  selftest: async (_a, ctx) => ok(await ctx.selftest()),
  'audit.verify': async (_a, ctx) => ok(await verifyAudit(ctx.store.stateDir)),
  'hsm.info': async (_a, ctx) => ok(await ctx.hsmInfo()),
};

export function isAdminOp(op: unknown): op is AdminOp {
  return typeof op === 'string' && Object.hasOwn(HANDLERS, op);
}

export async function runOp(op: string, args: Record<string, unknown>, ctx: AdminContext): Promise<OpResult> {
  if (!isAdminOp(op)) throw new AppError('BAD_REQUEST', `unknown admin operation ${op}`);
  return HANDLERS[op](args, ctx);
}
