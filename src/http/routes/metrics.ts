import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../app.js';
import { isLoopback, requireRole } from '../auth-hooks.js';

/** `GET /metrics`: Prometheus text; viewer role, or any request from this machine (node exporter, a local Prometheus). */
export function metricsRoutes(app: FastifyInstance, d: RouteDeps): void {
  const viewer = requireRole('viewer');
  app.get(
    '/metrics',
    {
      onRequest: async (req, reply) => {
        if (!isLoopback(req.ip) || req.headers.authorization || req.principal) await viewer(req, reply);
      },
      schema: { summary: 'Prometheus metrics', tags: ['metrics'], response: { 200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } } } },
    },
    async (_req, reply) => {
      const queue = await d.documents.queue().catch((e: unknown) => {
        d.logger.warn({ err: e }, 'metrics: queue snapshot failed');
        return null;
      });
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(d.metrics.render(d.documentCounts(), queue));
    },
  );
}
