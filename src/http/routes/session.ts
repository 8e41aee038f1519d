import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import type { RouteDeps } from '../app.js';
import { checkOrigin, SESSION_COOKIE } from '../auth-hooks.js';
import { responses } from '../schemas.js';

const UserBody = {
  type: 'object',
  properties: { user: { type: 'object', properties: { username: { type: 'string' }, role: { type: 'string', enum: ['viewer', 'clerk', 'admin'] }, kind: { type: 'string' } } } },
} as const;

/**
 * Staff sign-in and sign-out. Failed sign-ins count per user and per client address; over the
 * limit every attempt — right password included — gets 429 with Retry-After until the window
 * has passed. Wrong user and wrong password look the same (401, same time).
 */
export function sessionRoutes(app: FastifyInstance, d: RouteDeps): void {
  const cookieOpts = (maxAgeS: number) => ({ path: '/', httpOnly: true, sameSite: 'strict' as const, secure: d.secureCookies, maxAge: maxAgeS });

  app.post<{ Body: { username: string; password: string } }>(
    '/api/v1/session',
    {
      schema: {
        summary: 'Sign in (staff)',
        tags: ['session'],
        security: [],
        body: {
          type: 'object',
          required: ['username', 'password'],
          additionalProperties: false,
          properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
        },
        response: responses({ 200: UserBody }, [400, 422, 429]),
      },
    },
    async (req, reply) => {
      // A sign-in form posted from another site would plant our session in the victim's browser.
      if (req.headers.origin !== undefined) checkOrigin(req);
      const { username, password } = req.body;
      const address = req.ip;
      const wait = d.auth.limiter.retryAfter(username, address);
      if (wait > 0) throw new AppError('RATE_LIMITED', 'too many failed sign-ins', { retryAfter: wait });
      const user = await d.auth.users.check(username, password);
      if (!user) {
        d.auth.limiter.failed(username, address);
        req.log.info({ username: username.slice(0, 64), address }, 'sign-in failed');
        throw new AppError('UNAUTHENTICATED', 'wrong user name or password');
      }
      d.auth.limiter.succeeded(username);
      const s = await d.auth.sessions.create(user.username);
      void reply.setCookie(SESSION_COOKIE, s.token, cookieOpts(Math.floor(d.auth.sessions.times.ttlMs / 1000)));
      return { user: { username: user.username, role: user.role, kind: 'user' } };
    },
  );

  app.get('/api/v1/session', { schema: { summary: 'Who am I', tags: ['session'], response: responses({ 200: UserBody }, []) } }, async (req) => {
    if (!req.principal) throw new AppError('UNAUTHENTICATED', 'not signed in');
    return { user: { username: req.principal.name, role: req.principal.role, kind: req.principal.kind } };
  });

  app.delete('/api/v1/session', { schema: { summary: 'Sign out', tags: ['session'], response: responses({ 204: { type: 'null' } }, []) } }, async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (!req.principal || !req.viaCookie || !token) throw new AppError('UNAUTHENTICATED', 'not signed in');
    await d.auth.sessions.destroy(token);
    void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: d.secureCookies });
    return reply.status(204).send();
  });
}
