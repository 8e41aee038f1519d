import t from 'tap';
import { createRequire } from 'node:module';
import Fastify from 'fastify';
import { lazyCompilersFactory } from '../../src/http/lazy-compilers.js';

/**
 * The app's compilers are fastify's own, run on a route's first request: validation, its error
 * details and response serialisation must be exactly what fastify does when it compiles at start.
 */
const loaded = (pkg: string): boolean => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes(`/node_modules/${pkg}/`));

function app(lazy: boolean) {
  const a = Fastify({ ajv: { customOptions: { allErrors: true } }, ...(lazy ? { schemaController: { compilersFactory: lazyCompilersFactory() as never } } : {}) });
  a.post(
    '/x',
    {
      schema: {
        // Mixed case on purpose: header names arrive lower-cased.
        headers: { type: 'object', properties: { 'Idempotency-Key': { type: 'string', maxLength: 5 } }, required: ['Idempotency-Key'] },
        body: { type: 'object', properties: { n: { type: 'integer', minimum: 1 }, s: { type: 'string', maxLength: 3 } }, required: ['n'], additionalProperties: false },
        response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } },
      },
    },
    async (req) => ({ n: (req.body as { n: number }).n, secret: 'dropped by the serializer' }),
  );
  return a;
}

t.test('nothing is compiled before the first request, then fastify behaves as with its own compilers', async (t) => {
  const lazy = app(true);
  t.teardown(() => lazy.close());
  await lazy.ready();
  t.notOk(loaded('@fastify/ajv-compiler'), 'no validator compiler loaded by ready()');
  t.notOk(loaded('@fastify/fast-json-stringify-compiler'), 'no serializer compiler loaded by ready()');
  // Only now: a fastify with its default compilers loads them when it is created.
  const eager = app(false);
  t.teardown(() => eager.close());
  const cases = [
    { headers: { 'idempotency-key': 'abc' }, payload: { n: 2 } },
    { headers: { 'idempotency-key': 'too-long-key' }, payload: { n: 2 } },
    { headers: {}, payload: { n: 2 } },
    { headers: { 'idempotency-key': 'abc' }, payload: { n: 0, s: 'long', extra: 1 } },
    { headers: { 'idempotency-key': 'abc' }, payload: { n: '7' } },
  ];
  for (const c of cases) {
    const a = await lazy.inject({ method: 'POST', url: '/x', ...c });
    const b = await eager.inject({ method: 'POST', url: '/x', ...c });
    t.equal(a.statusCode, b.statusCode, `${JSON.stringify(c)}: same status (${b.statusCode})`);
    t.equal(a.body, b.body, `${JSON.stringify(c)}: same body`);
  }
  t.equal((await lazy.inject({ method: 'POST', url: '/x', headers: { 'idempotency-key': 'k' }, payload: { n: 3 } })).body, '{"n":3}', 'the response schema drops unknown fields');
  t.equal((await lazy.inject({ method: 'POST', url: '/x', headers: { 'idempotency-key': 'too-long' }, payload: { n: 3 } })).statusCode, 400, 'the header schema applies');
  t.ok(loaded('@fastify/ajv-compiler') && loaded('@fastify/fast-json-stringify-compiler'), 'compiled on first use');
});
