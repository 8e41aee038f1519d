import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { AXIS_ERRORS, failResponse, OPERATIONS, type Operation } from '../relay/vpcp/protocol.js';
import { DEFAULT_MAX_SKEW_MS, verifyHeaders } from '../relay/vpcp/signing.js';
import { validateAgencies, type SimAgency } from './agencies.js';
import { Faults, type FaultSettings } from './faults.js';
import { OPERATION_HANDLERS, sendJson, type SimContext } from './operations.js';
import { SimStore, type SimStats } from './store.js';

/**
 * A faithful simulator of the VPCP axis (domain.md §5) for the demo, tests and labs: the same
 * header signing (shared `src/relay/vpcp/signing.ts`), per-recipient queues kept durably in
 * `stateDir`, duplicate suppression, counters, fault knobs and an injection door for bad packages.
 *
 * Admin routes (no authentication — the simulator is a lab tool; bind it to loopback):
 *   GET  /_sim/stats                 counters
 *   GET  /_sim/faults, POST /_sim/faults   read / patch the fault knobs (JSON)
 *   POST /_sim/inject?to=A&from=B[&messagetype=edoc]   raw package bytes as the body
 */
export interface AxisSimOptions {
  listen: { host: string; port: number };
  stateDir: string;
  agencies: SimAgency[];
  logger?: Logger;
  /** Request timestamp tolerance; default 5 minutes. */
  maxSkewMs?: number;
  /** Largest accepted package; default 64 MiB. */
  maxPackageBytes?: number;
  now?: () => Date;
}

export interface AxisSim {
  /** `http://host:port` — the adapter's `endpoint`. */
  url: string;
  close(): Promise<void>;
  stats(): SimStats;
  faults: Faults;
  /** Queues raw bytes for `toAgency` as if `fromAgency` had sent them (no checks at all). */
  inject(toAgency: string, fromAgency: string, bytes: Uint8Array, messageType?: 'edoc' | 'status'): Promise<string>;
}

export async function startAxisSim(opts: AxisSimOptions): Promise<AxisSim> {
  const agencies = new Map(validateAgencies(opts.agencies).map((a) => [a.id, a]));
  const store = await SimStore.open(opts.stateDir);
  const faults = new Faults();
  const ctx: SimContext = { store, agencies, faults, maxPackageBytes: opts.maxPackageBytes ?? 64 * 1024 * 1024, logger: opts.logger };
  const now = opts.now ?? (() => new Date());

  const inject = async (to: string, from: string, bytes: Uint8Array, messageType: 'edoc' | 'status' = 'edoc'): Promise<string> => {
    const temp = store.tempPath();
    await writeFile(temp, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return (await store.addPackage(temp, { from, to: [to], messageType, serviceType: 'inject', sha256, size: bytes.byteLength })).docId;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname.startsWith('/_sim/')) return admin(req, res, url);
    const f = faults.get();
    if (f.down) {
      if (f.downMode === 'reset') return void req.socket.destroy();
      res.setHeader('Connection', 'close');
      return sendJson(res, 503, failResponse(AXIS_ERRORS.BUSY, 'axis down (simulated)'));
    }
    if (f.slowMs > 0) await sleep(f.slowMs);
    if (faults.drawError()) {
      req.resume();
      res.setHeader('Connection', 'close');
      return sendJson(res, 500, failResponse(AXIS_ERRORS.INTERNAL, 'simulated server error'));
    }
    const op = url.pathname.replace(/^\/+/, '') as Operation;
    if (req.method !== 'POST' || !OPERATIONS.includes(op)) {
      req.resume();
      return sendJson(res, 404, failResponse(AXIS_ERRORS.UNKNOWN_OPERATION, 'unknown operation'));
    }
    const auth = verifyHeaders(req.headers, { secretOf: (id) => agencies.get(id)?.secret, now: now(), maxSkewMs: opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS });
    if (!auth.ok) {
      opts.logger?.warn({ op, code: auth.code }, 'request refused');
      req.resume();
      return sendJson(res, 200, failResponse(auth.code, auth.reason));
    }
    await OPERATION_HANDLERS[op](ctx, { req, res, me: auth.systemId, fields: auth.fields });
  };

  const admin = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    try {
      if (url.pathname === '/_sim/stats') return sendJson(res, 200, store.stats());
      if (url.pathname === '/_sim/faults' && req.method === 'GET') return sendJson(res, 200, faults.get());
      if (url.pathname === '/_sim/faults' && req.method === 'POST') {
        const patch = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8')) as Partial<FaultSettings>;
        return sendJson(res, 200, faults.set(patch));
      }
      if (url.pathname === '/_sim/inject' && req.method === 'POST') {
        const to = url.searchParams.get('to');
        const from = url.searchParams.get('from');
        const mt = url.searchParams.get('messagetype') === 'status' ? 'status' : 'edoc';
        if (!to || !from) return sendJson(res, 400, { error: 'to and from are required' });
        return sendJson(res, 200, { docId: await inject(to, from, await readBody(req, ctx.maxPackageBytes), mt) });
      }
      req.resume();
      sendJson(res, 404, { error: 'unknown admin route' });
    } catch (e) {
      sendJson(res, 400, { error: (e as Error).message });
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      opts.logger?.error({ err: e }, 'simulator failure');
      if (!res.headersSent) sendJson(res, 500, failResponse(AXIS_ERRORS.INTERNAL, 'internal error'));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listen.port, opts.listen.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  opts.logger?.info({ url: `http://${host}:${addr.port}`, agencies: agencies.size }, 'axis simulator listening');

  return {
    url: `http://${host}:${addr.port}`,
    stats: () => store.stats(),
    faults,
    inject,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.idle();
    },
  };
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > max) throw new Error(`body larger than ${max} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
