import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Auth, type Role } from '../../src/auth/index.js';
import { multipartBody, type FormPart } from '../../src/bench/api-bench.js';
import { build, type HttpDeps } from '../../src/http/app.js';
import { activeDocumentCounts } from '../../src/http/metrics.js';
import type { Health } from '../../src/http/health.js';
import type { DocumentsService } from '../../src/documents/types.js';
import type { Office } from './office.js';
import { testLogger } from './office.js';

/**
 * The LAN API over a real office (test/support/office.ts: SoftHSM token, store, simulator):
 * `app.inject()` for most tests, `listen` on 127.0.0.1 for SSE and TLS. Scrypt runs with a low
 * cost here only to keep 60-attempt tests short; the format and code path are the production ones.
 */
export const PASSWORD = 'mật-khẩu-đủ-dài';
export const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };

export interface HttpEnv {
  app: FastifyInstance;
  auth: Auth;
  uploadDir: string;
  /** `Authorization` header of an API key per role. */
  keys: Record<Role, string>;
  /** Cookie header of a signed-in user per role. */
  cookies: Record<Role, string>;
  close(): Promise<void>;
}

export function healthOf(office: Office): () => Promise<Health> {
  return async () => {
    const h = await office.core.health();
    return {
      status: h.hsm.state === 'ready' ? 'ok' : 'degraded',
      version: 'test',
      hsm: { state: h.hsm.state },
      axis: { state: h.axis.state, lastContactAt: h.axis.lastContactAt },
      display: { state: 'absent' },
      store: { state: h.store.state, freeBytes: h.store.freeBytes },
      queue: { outgoing: h.queue.outgoing, failed: h.queue.failed, incomingUnread: h.queue.incomingUnread },
    };
  };
}

export async function makeHttp(
  office: Office,
  opts: Partial<HttpDeps> & { signIn?: { windowMs?: number; perUser?: number; perAddress?: number }; documents?: DocumentsService; auth?: Auth } = {},
): Promise<HttpEnv> {
  const store = office.core.store;
  const auth = opts.auth ?? new Auth({ store, logger: testLogger(), scrypt: FAST_SCRYPT, ...(opts.signIn ? { signIn: opts.signIn } : {}) });
  const uploadDir = opts.uploadDir ?? path.join(store.stateDir, 'tmp', 'uploads');
  const app = await build({
    logger: testLogger(),
    health: healthOf(office),
    bus: office.bus,
    limits: office.config.limits,
    uploadDir,
    documentCounts: () => activeDocumentCounts(store),
    ...opts,
    documents: opts.documents ?? office.core.documents,
    auth,
  });
  const keys = {} as Record<Role, string>;
  const cookies = {} as Record<Role, string>;
  const suffix = randomBytes(3).toString('hex');
  for (const role of ['viewer', 'clerk', 'admin'] as const) {
    const name = `${role}-${suffix}`;
    if (!auth.users.get(name)) await auth.addUser(name, role, PASSWORD, 'test');
    keys[role] = `Bearer ${(await auth.apiKeys.create(`key-${name}`, role, 'test')).key}`;
    const res = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: name, password: PASSWORD } });
    if (res.statusCode !== 200) throw new Error(`sign-in of ${name} failed: ${res.statusCode} ${res.body}`);
    const c = res.cookies.find((x) => x.name === 'edoc_session');
    if (!c) throw new Error('no session cookie');
    cookies[role] = `edoc_session=${c.value}`;
  }
  return { app, auth, uploadDir, keys, cookies, close: () => app.close() };
}

export type { FormPart };

/** A multipart/form-data body for `app.inject` (the bench client's encoder, so both send the same). */
export function form(parts: FormPart[]): { payload: Buffer; headers: Record<string, string> } {
  const { body, contentType } = multipartBody(parts);
  return { payload: body, headers: { 'content-type': contentType } };
}
