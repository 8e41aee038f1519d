import type { FastifyInstance } from 'fastify';
import type { Role } from '../../auth/index.js';
import type { RouteDeps } from '../app.js';
import { requireRole } from '../auth-hooks.js';
import { responses } from '../schemas.js';

/**
 * Extension for the admin role: users and API keys over HTTP (the same operations as the CLI's
 * `user` and `apikey` commands). The key is in the 201 answer of its creation and nowhere else.
 */
const roleSchema = { type: 'string', enum: ['viewer', 'clerk', 'admin'] } as const;
const User = { type: 'object', properties: { username: { type: 'string' }, role: roleSchema, disabled: { type: 'boolean' }, createdAt: { type: 'string' }, updatedAt: { type: 'string' } } } as const;
const Key = {
  type: 'object',
  properties: { name: { type: 'string' }, keyId: { type: 'string' }, role: roleSchema, createdAt: { type: 'string' }, revokedAt: { type: ['string', 'null'] }, key: { type: 'string' } },
} as const;
const NameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

export function adminRoutes(app: FastifyInstance, d: RouteDeps): void {
  const admin = { onRequest: requireRole('admin') };
  const by = (p: { kind: string; name: string } | null) => (p ? `${p.kind}:${p.name}` : 'unknown');

  app.get('/api/v1/users', { ...admin, schema: { summary: 'Staff accounts', tags: ['admin'], response: responses({ 200: { type: 'array', items: User } }, []) } }, async () => d.auth.users.list());
  app.post<{ Body: { username: string; role: Role; password: string } }>(
    '/api/v1/users',
    {
      ...admin,
      schema: {
        summary: 'Add a staff account',
        tags: ['admin'],
        body: { type: 'object', required: ['username', 'role', 'password'], additionalProperties: false, properties: { username: { type: 'string' }, role: roleSchema, password: { type: 'string' } } },
        response: responses({ 201: User }, [409, 422]),
      },
    },
    async (req, reply) => reply.status(201).send(await d.auth.addUser(req.body.username, req.body.role, req.body.password, by(req.principal))),
  );
  app.post<{ Params: { name: string } }>(
    '/api/v1/users/:name/disable',
    { ...admin, schema: { summary: 'Disable a staff account (ends its sessions)', tags: ['admin'], params: NameParams, response: responses({ 200: User }, [404]) } },
    async (req) => d.auth.disableUser(req.params.name, by(req.principal)),
  );
  app.get('/api/v1/apikeys', { ...admin, schema: { summary: 'API keys (never the keys themselves)', tags: ['admin'], response: responses({ 200: { type: 'array', items: Key } }, []) } }, async () =>
    d.auth.apiKeys.list(),
  );
  app.post<{ Body: { name: string; role: Role } }>(
    '/api/v1/apikeys',
    {
      ...admin,
      schema: {
        summary: 'Create an API key; the key is shown in this answer only',
        tags: ['admin'],
        body: { type: 'object', required: ['name', 'role'], additionalProperties: false, properties: { name: { type: 'string' }, role: roleSchema } },
        response: responses({ 201: Key }, [409, 422]),
      },
    },
    async (req, reply) => reply.status(201).header('cache-control', 'no-store').send(await d.auth.apiKeys.create(req.body.name, req.body.role, by(req.principal))),
  );
  app.delete<{ Params: { name: string } }>(
    '/api/v1/apikeys/:name',
    { ...admin, schema: { summary: 'Revoke an API key', tags: ['admin'], params: NameParams, response: responses({ 200: Key }, [404]) } },
    async (req) => d.auth.apiKeys.revoke(req.params.name, by(req.principal)),
  );
}
