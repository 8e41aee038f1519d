import type { FastifyInstance, RouteOptions } from 'fastify';
import type { SwaggerOptions } from '@fastify/swagger';

/**
 * GET /api/openapi.json, built on first request instead of at every start.
 *
 * @fastify/swagger must see every route as it is added, and registering it at start loads it and
 * its YAML library (some 90 modules) and keeps its route list — all for a document that only a
 * developer or an integrator asks for, rarely. So the app records its routes (a cheap `onRoute`
 * hook) and, on the first request, a scratch fastify instance that never listens gets swagger,
 * the app's shared schemas and those routes with no-op handlers; its document is cached.
 */
export function lazyOpenApi(app: FastifyInstance, options: SwaggerOptions): () => Promise<unknown> {
  const routes: RouteOptions[] = [];
  // HEAD twins of GET routes are added by fastify itself and swagger leaves them out too.
  app.addHook('onRoute', (r) => {
    if (r.method !== 'HEAD') routes.push(r);
  });
  let doc: Promise<unknown> | null = null;
  return () => {
    doc ??= openApiDocument(app, routes, options).catch((e: unknown) => {
      doc = null; // a failed build is retried by the next request
      throw e;
    });
    return doc;
  };
}

async function openApiDocument(app: FastifyInstance, routes: RouteOptions[], options: SwaggerOptions): Promise<unknown> {
  const [{ default: Fastify }, { default: swagger }] = await Promise.all([import('fastify'), import('@fastify/swagger')]);
  const scratch = Fastify({ logger: false });
  // Only the document is wanted: nothing is validated or serialised here.
  scratch.setValidatorCompiler(() => () => true);
  scratch.setSerializerCompiler(() => (data) => JSON.stringify(data));
  for (const schema of Object.values(app.getSchemas())) scratch.addSchema(schema);
  await scratch.register(swagger, options);
  const noop = (): undefined => undefined;
  for (const r of routes) scratch.route({ method: r.method, url: r.url, ...(r.schema ? { schema: r.schema } : {}), ...(r.config ? { config: r.config } : {}), handler: noop });
  try {
    await scratch.ready();
    return scratch.swagger();
  } finally {
    await scratch.close();
  }
}
