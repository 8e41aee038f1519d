import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { installErrorHandler } from './error-handler.js';
import { healthRoutes } from './routes/health.js';
import type { HealthSource } from './health.js';

/** Everything the HTTP layer needs, passed in (tests build it with `app.inject()`, main.ts listens). */
export interface HttpDeps {
  logger: Logger;
  health: HealthSource;
  https?: { cert: string | Buffer; key: string | Buffer } | null;
  bodyLimit?: number;
}

export async function build(deps: HttpDeps): Promise<FastifyInstance> {
  const opts: FastifyServerOptions = {
    loggerInstance: deps.logger.child({ component: 'http' }) as unknown as FastifyBaseLogger,
    bodyLimit: deps.bodyLimit ?? 1_048_576,
    // Request ids help correlate a client's complaint with the journal.
    requestIdHeader: false,
    disableRequestLogging: false,
  };
  // fastify's overloads type an https server differently; the routes do not care which it is.
  const app = (deps.https
    ? Fastify({ ...(opts as object), https: { cert: deps.https.cert, key: deps.https.key } } as Parameters<typeof Fastify>[0])
    : Fastify(opts)) as unknown as FastifyInstance;
  installErrorHandler(app);
  healthRoutes(app, deps.health);
  return app;
}
