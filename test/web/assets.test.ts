import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { assetsDir, webRoutes } from '../../src/http/web/index.js';
import { DOCUMENT_TYPES, STATUS_CODE_TABLE } from '../../src/domain/index.js';

/**
 * How the staff page is served: a strict CSP the page really keeps to (no inline script or style
 * in the shipped files), caching by ETag, the catalogue generated from the domain module, and
 * nothing else under /web/ but the shipped files.
 */
async function app() {
  const a = Fastify();
  webRoutes(a);
  await a.ready();
  return a;
}

t.test('GET / is the page with a strict CSP, revalidated by ETag', async (t) => {
  const a = await app();
  t.teardown(() => a.close());
  const r = await a.inject('/');
  t.equal(r.statusCode, 200);
  t.match(r.headers['content-type'], /text\/html/);
  const csp = String(r.headers['content-security-policy']);
  t.match(csp, /script-src 'self'/);
  t.notMatch(csp, /unsafe-inline|unsafe-eval/, 'no inline script or style allowed');
  t.match(csp, /frame-ancestors 'none'/);
  t.equal(r.headers['cache-control'], 'no-cache');
  const etag = String(r.headers.etag);
  const again = await a.inject({ url: '/', headers: { 'if-none-match': etag } });
  t.equal(again.statusCode, 304, 'unchanged page: 304');
  t.equal(again.body, '');
});

t.test('assets are cached briefly; unknown names are 404; no path escapes', async (t) => {
  const a = await app();
  t.teardown(() => a.close());
  const js = await a.inject('/web/app.js');
  t.equal(js.statusCode, 200);
  t.match(js.headers['content-type'], /text\/javascript/);
  t.match(js.headers['cache-control'], /max-age=\d+/);
  t.equal(js.headers['x-content-type-options'], 'nosniff');
  t.equal((await a.inject('/web/nope.js')).statusCode, 404);
  t.equal((await a.inject('/web/..%2Findex.ts')).statusCode, 404);
  t.equal((await a.inject('/web/%2e%2e%2f%2e%2e%2fpackage.json')).statusCode, 404);
});

t.test('catalogue.json comes from the domain module', async (t) => {
  const a = await app();
  t.teardown(() => a.close());
  const c = (await a.inject('/web/catalogue.json')).json() as { types: { id: string; name: string }[]; statusCodes: { code: string; vi: string }[]; organId: { pattern: string } };
  t.same(c.types.map((x) => x.name), DOCUMENT_TYPES.map((x) => x.name), 'Vietnamese type names');
  t.equal(c.statusCodes.find((s) => s.code === '03')?.vi, STATUS_CODE_TABLE.find((s) => s.code === '03')?.vi);
  const re = new RegExp(c.organId.pattern);
  t.ok(re.test('000.46.24.H44') && !re.test('000..H44') && !re.test('abc'), 'the OrganId syntax the page checks');
});

t.test('the shipped files keep to the CSP: no inline scripts, handlers or style attributes', async (t) => {
  const dir = assetsDir();
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  t.notMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'every script has a src');
  t.notMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
  t.notMatch(html, /\sstyle=/i, 'no style attributes');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
    const src = readFileSync(path.join(dir, f), 'utf8');
    t.notMatch(src, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/, `${f}: no HTML strings or eval`);
    t.notMatch(src, /setAttribute\(\s*['"]style['"]/, `${f}: no style attributes`);
    // The SVG namespace is a name, not an address anything is fetched from.
    t.notMatch(src.replaceAll('http://www.w3.org/2000/svg', ''), /https?:\/\//, `${f}: nothing fetched from elsewhere`);
  }
});
