import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Auth, Principal, Role } from '../auth/index.js';
import { roleAllows } from '../auth/index.js';
import { AppError } from '../errors.js';
import type { Actor } from '../documents/types.js';

export const SESSION_COOKIE = 'edoc_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking: resolved once per request from the Bearer key or the session cookie. */
    principal: Principal | null;
    /** True when the principal came from the cookie (CSRF rules apply). */
    viaCookie: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the principal of every request: `Authorization: Bearer <key>` first (software), then
 * the `edoc_session` cookie (staff). A present but wrong Authorization header is NOT silently
 * replaced by the cookie: the caller asked to be someone and is not, so 401.
 *
 * CSRF: a cookie is sent by the browser whatever page asks, so cookie-authenticated requests that
 * change state must carry an Origin equal to our own Host (SameSite=Strict is the first line; this
 * is the second, for older browsers and same-site subdomains). A missing Origin on such a request
 * is refused too: every browser that sends SameSite cookies sends Origin on POST.
 */
export function installAuth(app: FastifyInstance, auth: Auth): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('viaCookie', false);
  app.addHook('onRequest', async (req) => {
    const authz = req.headers.authorization;
    if (typeof authz === 'string' && authz.length > 0) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authz);
      req.principal = m ? auth.fromApiKey(m[1]!) : null;
      return;
    }
    const token = req.cookies?.[SESSION_COOKIE];
    if (token) {
      req.principal = auth.fromSession(token);
      req.viaCookie = req.principal !== null;
    }
    if (req.viaCookie && !SAFE_METHODS.has(req.method)) checkOrigin(req);
  });
}

/** Origin must name the same host (and port) the request was sent to. */
export function checkOrigin(req: FastifyRequest): void {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (typeof origin !== 'string' || origin === 'null') throw new AppError('FORBIDDEN', 'cross-site request refused (no Origin)');
  let same = false;
  try {
    const o = new URL(origin);
    // Parsed with the Origin's scheme so that default ports compare equal (Host: x:443 = https://x).
    same = Boolean(host) && o.host === new URL(`${o.protocol}//${host}`).host;
  } catch {
    same = false;
  }
  if (!same) throw new AppError('FORBIDDEN', 'cross-site request refused (Origin does not match Host)');
}

/** preHandler: 401 without credentials, 403 when the role is too low. */
export function requireRole(role: Role) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (!req.principal) throw new AppError('UNAUTHENTICATED', 'sign in or give an API key');
    if (!roleAllows(req.principal.role, role)) throw new AppError('FORBIDDEN', `this needs the ${role} role`, { need: role, have: req.principal.role });
  };
}

/** The documents service's Actor for the request's principal (only after requireRole). */
export function actorOf(req: FastifyRequest): Actor {
  const p = req.principal;
  if (!p) throw new AppError('UNAUTHENTICATED', 'sign in or give an API key');
  return { kind: p.kind, name: p.name, role: p.role };
}

/** True for requests from this machine (loopback addresses, including IPv4-mapped). */
export function isLoopback(ip: string): boolean {
  return ip === '::1' || /^127\./.test(ip) || /^::ffff:127\./i.test(ip);
}
