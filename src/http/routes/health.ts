import type { FastifyInstance } from 'fastify';
import type { HealthSource } from '../health.js';

const HealthSchema = {
  type: 'object',
  required: ['status', 'version', 'hsm', 'axis', 'display', 'store', 'queue'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'down'] },
    version: { type: 'string' },
    hsm: { type: 'object', properties: { state: { type: 'string' } } },
    axis: { type: 'object', properties: { state: { type: 'string' }, lastContactAt: { type: ['string', 'null'] } } },
    display: { type: 'object', properties: { state: { type: 'string' } } },
    store: { type: 'object', properties: { state: { type: 'string' }, freeBytes: { type: 'number' } } },
    queue: {
      type: 'object',
      properties: { outgoing: { type: 'integer' }, failed: { type: 'integer' }, incomingUnread: { type: 'integer' } },
    },
  },
} as const;

export function healthRoutes(app: FastifyInstance, health: HealthSource): void {
  app.get('/api/v1/health', { schema: { response: { 200: HealthSchema, 503: HealthSchema } } }, async (_req, reply) => {
    const h = await health();
    return reply.status(h.status === 'down' ? 503 : 200).send(h);
  });
}
