import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { RouteDeps } from '../app.js';
import { requireRole } from '../auth-hooks.js';
import { responses } from '../schemas.js';

/** A client this far behind is dropped rather than buffered without end (it reconnects). */
const MAX_BUFFERED = 1024 * 1024;

/**
 * `GET /api/v1/events`: Server-Sent Events of every bus event (`event: <name>`, `data: <json>`),
 * with a comment line as heartbeat so proxies and browsers keep the stream open. Each stream
 * unsubscribes on disconnect; streams still open when the app closes are ended.
 */
export function eventRoutes(app: FastifyInstance, d: RouteDeps): void {
  const open = new Set<ServerResponse>();
  d.metrics.sseClients = () => open.size;
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });
  app.get(
    '/api/v1/events',
    {
      onRequest: requireRole('viewer'),
      schema: { summary: 'Server-Sent Events of state changes', tags: ['events'], response: responses({ 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } } }, []) },
    },
    async (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 5000\n: connected\n\n');
      open.add(res);
      const send = (chunk: string): void => {
        if (res.writableLength > MAX_BUFFERED) {
          req.log.warn('SSE client too slow; dropping the stream');
          res.destroy();
          return;
        }
        res.write(chunk);
      };
      const unsubscribe = d.bus ? d.bus.subscribeAll((name, payload) => send(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`)) : () => undefined;
      const heartbeat = setInterval(() => send(': ping\n\n'), d.sseHeartbeatMs);
      heartbeat.unref();
      let done = false;
      const cleanup = (): void => {
        if (done) return;
        done = true;
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(res);
      };
      res.on('close', cleanup);
      req.raw.on('close', cleanup);
    },
  );
}
