import { createReadStream } from 'node:fs';
import { chmod, lstat, mkdir, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { shortSocketDir } from './socket-path.js';
import net from 'node:net';
import { pipeline } from 'node:stream/promises';
import { AppError, isAppError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { runOp, type AdminContext } from './ops.js';
import { MAX_LINE, type AdminRequest, type AdminResponse } from './protocol.js';

/**
 * The admin socket served by the running service (protocol.ts). Requests on one connection run
 * one after another; connections are independent. Arguments are never logged (they carry
 * passwords); operation names and outcomes are.
 */
export interface AdminServer {
  path: string;
  close(): Promise<void>;
}

export async function startAdminServer(opts: { path: string; ctx: AdminContext; logger: Logger }): Promise<AdminServer> {
  const { ctx } = opts;
  const log = opts.logger.child({ component: 'admin-socket' });
  await ensurePrivateDir(opts.path);
  await removeStale(opts.path);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    serve(sock, ctx, log).catch((e: unknown) => {
      log.warn({ err: e }, 'admin connection failed');
      sock.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.path, () => resolve());
  });
  // The socket is the only access control: owner only (the state dir or /run dir is 0700 too).
  await chmod(opts.path, 0o600);
  log.info({ path: opts.path }, 'admin socket listening');
  return {
    path: opts.path,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await rm(opts.path, { force: true });
    },
  };
}

/** A socket file left by a crash is removed; one a live process answers on is an error. */
async function removeStale(p: string): Promise<void> {
  const st = await stat(p).catch(() => null);
  if (!st) return;
  if (!st.isSocket()) throw new AppError('CONFIG_INVALID', `${p} exists and is not a socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const c = net.connect(p, () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });
  if (alive) throw new AppError('STATE_LOCKED', `another service answers on ${p}`);
  await unlink(p);
}

async function serve(sock: net.Socket, ctx: AdminContext, log: Logger): Promise<void> {
  let buf = '';
  for await (const chunk of sock) {
    buf += (chunk as Buffer).toString('utf8');
    if (buf.length > MAX_LINE && !buf.includes('\n')) {
      sock.end(JSON.stringify({ id: 0, ok: false, error: { code: 'BAD_REQUEST', message: 'request line too long' } }) + '\n');
      return;
    }
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim() === '') continue;
      await handle(line, sock, ctx, log);
    }
  }
}

async function handle(line: string, sock: net.Socket, ctx: AdminContext, log: Logger): Promise<void> {
  let req: AdminRequest;
  try {
    req = JSON.parse(line) as AdminRequest;
    if (typeof req !== 'object' || req === null || typeof req.op !== 'string') throw new Error('shape');
  } catch {
    write(sock, { id: 0, ok: false, error: { code: 'BAD_REQUEST', message: 'not a JSON request line' } });
    return;
  }
  const id = typeof req.id === 'number' ? req.id : 0;
  try {
    const out = await runOp(req.op, req.args && typeof req.args === 'object' ? req.args : {}, ctx);
    log.info({ op: req.op }, 'admin operation done');
    if (!out.file) {
      write(sock, { id, ok: true, result: out.result });
      return;
    }
    try {
      const size = (await stat(out.file)).size;
      write(sock, { id, ok: true, result: out.result, stream: size });
      await pipeline(createReadStream(out.file), sock, { end: false });
    } finally {
      await rm(out.file, { force: true });
    }
  } catch (e) {
    if (isAppError(e)) {
      log.info({ op: req.op, code: e.code }, 'admin operation refused');
      write(sock, { id, ok: false, error: { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) } });
    } else {
      log.error({ err: e, op: req.op }, 'admin operation failed');
      write(sock, { id, ok: false, error: { code: 'INTERNAL', message: 'internal error (see the service log)' } });
    }
  }
}

function write(sock: net.Socket, r: AdminResponse): void {
  if (!sock.destroyed) sock.write(JSON.stringify(r) + '\n');
}

/**
 * The short fallback location (socket-path.ts) lives in a shared temp dir: create our per-user
 * directory 0700 and refuse one that someone else owns or that others can enter.
 */
async function ensurePrivateDir(socketPath: string): Promise<void> {
  const dir = path.dirname(socketPath);
  if (dir !== shortSocketDir()) return;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  const uid = process.getuid?.() ?? st.uid;
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0) {
    throw new Error(`refusing the admin socket directory ${dir}: not a private directory of this user`);
  }
}
