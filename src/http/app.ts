import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import type { SwaggerOptions } from '@fastify/swagger';
import type { Logger } from 'pino';
import type { Auth } from '../auth/index.js';
import type { DocumentsService } from '../documents/types.js';
import type { EventBus } from '../events.js';
import { VERSION } from '../version.js';
import { installAuth } from './auth-hooks.js';
import { lazyCompilersFactory } from './lazy-compilers.js';
import { lazyOpenApi } from './openapi.js';
import { installErrorHandler } from './error-handler.js';
import type { HealthSource } from './health.js';
import { Metrics, type DocumentCount } from './metrics.js';
import { healthRoutes } from './routes/health.js';
import { documentRoutes } from './routes/documents.js';
import { eventRoutes } from './routes/events.js';
import { fileRoutes } from './routes/files.js';
import { metricsRoutes } from './routes/metrics.js';
import { miscRoutes } from './routes/misc.js';
import { sessionRoutes } from './routes/session.js';
import { signRoutes } from './routes/sign.js';
import { adminRoutes } from './routes/admin.js';
import { DocumentView, ErrorBody } from './schemas.js';
import { installUploadCleanup, prepareUploadDir, type UploadLimits } from './uploads.js';
import { installMemoryRelease, MemoryBudget } from './memory-budget.js';

/** Everything the HTTP layer needs, passed in (tests build it with `app.inject()`, main.ts listens). */
export interface HttpDeps {
  logger: Logger;
  health: HealthSource;
  https?: { cert: string | Buffer; key: string | Buffer } | null;
  bodyLimit?: number;
  /**
   * The API proper. Without `documents` and `auth` only the health route is served (start-up
   * before the core is ready, and the skeleton's tests).
   */
  documents?: DocumentsService;
  auth?: Auth;
  /** SSE source and metrics events. */
  bus?: EventBus;
  /** `limits` of the configuration. */
  limits?: UploadLimits;
  /** Where uploads are streamed: `<stateDir>/tmp/uploads` (emptied at build). */
  uploadDir?: string;
  /** Documents by direction/state for /metrics (`activeDocumentCounts(store)`). */
  documentCounts?: () => DocumentCount[];
  /** SSE heartbeat period; default 15 s. */
  sseHeartbeatMs?: number;
  /**
   * Memory all sign requests together may hold (uploads and signed files kept in RAM); past it
   * uploads spill to disk. Default 16 MiB: four 2 MiB files in flight at once.
   */
  signMemory?: MemoryBudget;
}

/** What the route modules share. */
export interface RouteDeps {
  documents: DocumentsService;
  auth: Auth;
  bus: EventBus | undefined;
  limits: UploadLimits;
  uploadDir: string;
  /** Shared by the sign requests that work in memory (memory-budget.ts). */
  signMemory: MemoryBudget;
  metrics: Metrics;
  documentCounts: () => DocumentCount[];
  sseHeartbeatMs: number;
  secureCookies: boolean;
  logger: Logger;
}

export async function build(deps: HttpDeps): Promise<FastifyInstance> {
  const opts: FastifyServerOptions = {
    loggerInstance: deps.logger.child({ component: 'http' }) as unknown as FastifyBaseLogger,
    bodyLimit: Math.min(deps.bodyLimit ?? 1_048_576, 1_048_576),
    // Request ids help correlate a client's complaint with the journal.
    requestIdHeader: false,
    // Report every invalid field at once (VALIDATION_FAILED lists them all).
    ajv: { customOptions: { allErrors: true } },
    // Each route's schemas are compiled on its first request, not all before listening.
    schemaController: { compilersFactory: lazyCompilersFactory() as never },
  };
  // fastify's overloads type an https server differently; the routes do not care which it is.
  const app = (deps.https
    ? Fastify({ ...(opts as object), https: { cert: deps.https.cert, key: deps.https.key } } as Parameters<typeof Fastify>[0])
    : Fastify(opts)) as unknown as FastifyInstance;
  const metrics = new Metrics(deps.bus);
  app.addHook('onClose', async () => metrics.close());
  installErrorHandler(app, (code) => {
    if (code === 'HSM_UNAVAILABLE') metrics.hsmError();
  });
  app.addSchema(ErrorBody);
  app.addSchema(DocumentView);
  // Before any route: it records them for the OpenAPI document, built on first request.
  const openapi = lazyOpenApi(app, swaggerOptions());
  healthRoutes(app, deps.health);
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => openapi());

  if (deps.documents && deps.auth) {
    const uploadDir = deps.uploadDir;
    if (!uploadDir) throw new Error('http: uploadDir is required with documents');
    await prepareUploadDir(uploadDir);
    await app.register(cookie);
    await app.register(multipart);
    installUploadCleanup(app);
    installMemoryRelease(app);
    installAuth(app, deps.auth);
    const r: RouteDeps = {
      documents: deps.documents,
      auth: deps.auth,
      bus: deps.bus,
      limits: deps.limits ?? { maxUploadBytes: 52_428_800, maxAttachments: 20 },
      uploadDir,
      signMemory: deps.signMemory ?? new MemoryBudget(16 * 1024 * 1024),
      metrics,
      documentCounts: deps.documentCounts ?? (() => []),
      sseHeartbeatMs: deps.sseHeartbeatMs ?? 15_000,
      secureCookies: Boolean(deps.https),
      logger: deps.logger,
    };
    sessionRoutes(app, r);
    documentRoutes(app, r);
    fileRoutes(app, r);
    signRoutes(app, r);
    miscRoutes(app, r);
    eventRoutes(app, r);
    metricsRoutes(app, r);
    adminRoutes(app, r);
    await mountWeb(app, deps);
  }
  return app;
}

/**
 * HOOK: the staff web page (src/http/web/, another engineer's) mounts itself with
 * `webRoutes(app, deps)` when that module exists; until then `GET /` is simply not served.
 */
async function mountWeb(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  type WebModule = { webRoutes?: (app: FastifyInstance, deps: HttpDeps) => unknown };
  const js = new URL('./web/index.js', import.meta.url);
  // Built: web/index.js next to this file; from source (tests): web/index.ts.
  if (!existsSync(fileURLToPath(js)) && !existsSync(fileURLToPath(js).replace(/\.js$/, '.ts'))) return;
  const mod = (await import(js.href)) as WebModule;
  if (mod.webRoutes) await mod.webRoutes(app, deps);
}

/** @fastify/swagger's options for GET /api/openapi.json (see openapi.ts). */
function swaggerOptions(): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'edoc-gateway LAN API',
        version: VERSION,
        description:
          'Contract v1 of spec/http-api.md. Authenticate with the `edoc_session` cookie (POST /api/v1/session) or `Authorization: Bearer <API key>`. ' +
          'Roles: viewer < clerk < admin. Errors: `{"error":{"code","message","details"?}}`. ' +
          'Extension: POST /api/v1/documents/{id}/status also accepts "15" (agree) and "16" (refuse) to answer a recall (13) of an incoming document.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'edoc_session' },
          apiKey: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { apiKey: [] }],
    },
    // Multipart routes keep their OpenAPI body in `x-multipart` (fastify must not validate it).
    transform: ({ schema, url }) => {
      const s = schema as Record<string, unknown> | undefined;
      if (!s || !s['x-multipart']) return { schema: schema as never, url };
      const { ['x-multipart']: body, ...rest } = s;
      return { schema: { ...rest, consumes: ['multipart/form-data'], body } as never, url };
    },
  };
}
