import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { webCatalogue } from './catalogue.js';

/**
 * The staff web page: static HTML, CSS and plain ES modules shipped in `assets/` (no bundler, no
 * framework, nothing fetched from elsewhere at run time), plus `catalogue.json` generated from the
 * domain module so the page's document types, priorities and status names cannot drift from the
 * server's. Everything is read once at start (a few tens of KB) and served from memory with an
 * ETag; the HTML is revalidated on every load, the other assets are cached for a short while.
 *
 * The page runs under a strict Content-Security-Policy: no inline script or style, only this
 * origin — which is also why the chart is drawn as SVG by the page's own code.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** Where the assets live next to this module, in src/ (tests) as in dist/ (post-build copies them). */
export function assetsDir(): string {
  return fileURLToPath(new URL('./assets/', import.meta.url));
}

function asset(body: Buffer, type: string): Asset {
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (!type) continue;
    out.set(name, asset(readFileSync(path.join(dir, name)), type));
  }
  out.set('catalogue.json', asset(Buffer.from(JSON.stringify(webCatalogue())), TYPES['.json']!));
  return out;
}

function send(req: FastifyRequest, reply: FastifyReply, a: Asset, cacheControl: string): FastifyReply {
  void reply
    .header('etag', a.etag)
    .header('cache-control', cacheControl)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
  if (req.headers['if-none-match'] === a.etag) return reply.status(304).send();
  return reply.type(a.type).send(a.body);
}

/**
 * Mounts `GET /` (the page) and `GET /web/<file>` (its assets). Called by the HTTP app's `build`.
 * No authentication here: the page itself holds nothing; the API it calls checks every request.
 */
export function webRoutes(app: FastifyInstance, _deps?: unknown): void {
  const assets = loadAssets(assetsDir());
  const page = assets.get('index.html');
  if (!page) throw new Error('web: assets/index.html is missing (was the build copied?)');

  const sendPage = async (req: FastifyRequest, reply: FastifyReply) => {
    void reply.header('content-security-policy', CSP).header('x-frame-options', 'DENY');
    return send(req, reply, page, 'no-cache');
  };
  app.get('/', { schema: { hide: true } }, sendPage);
  app.get('/index.html', { schema: { hide: true } }, sendPage);

  app.get<{ Params: { file: string } }>('/web/:file', { schema: { hide: true } }, async (req, reply) => {
    const a = assets.get(req.params.file);
    if (!a || req.params.file === 'index.html') {
      return reply.status(404).type('application/json').send({ error: { code: 'NOT_FOUND', message: 'no such file' } });
    }
    // Short max-age plus ETag: a new release is picked up within minutes, revalidation is cheap.
    return send(req, reply, a, 'public, max-age=300, must-revalidate');
  });
}
