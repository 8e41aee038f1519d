import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, prepareGateway, spawnGateway } from '../../src/bench/start-bench.js';
import { SERVICE_NODE_OPTIONS } from '../../src/systemd/node-options.js';
import { makeDevToken } from '../support/softhsm.js';

/**
 * `start.ready_ms` and the idle RSS depend on what `serve` loads before it is ready. This runs the
 * built CLI (`npm test` builds first) with a module log and checks that what only later work needs
 * stays unloaded: TypeBox and ajv's compiler (the config validator is precompiled), fastify's
 * schema compilers (each route compiles on first use), swagger and YAML (the OpenAPI document is
 * built on first request), the serial stack (no display or console configured), the embedded axis
 * simulator (a remote axis is configured), the TLS module (plain HTTP on loopback) and the CMS
 * and certificate-name libraries (first signature or verification).
 */

// Records every CommonJS file compiled and every ES module loaded, written at exit.
const HOOK = `
import Module, { register } from 'node:module';
import { writeFileSync } from 'node:fs';
const seen = new Set();
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) { seen.add(filename); return compile.call(this, content, filename); };
const { port1, port2 } = new MessageChannel();
port1.on('message', (u) => seen.add(u));
port1.unref();
register('data:text/javascript,' + encodeURIComponent('let p; export function initialize(d) { p = d.port; } export async function load(u, c, n) { p.postMessage(u); return n(u, c); }'),
  { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] });
process.on('exit', () => writeFileSync(process.env.MODULE_LOG, [...seen].join('\\n')));
`;

t.test('serve becomes ready without loading what only later work needs', async (t) => {
  const dir = t.testdir();
  const dev = await makeDevToken(path.join(dir, 'token'));
  const hook = path.join(dir, 'module-log.mjs');
  writeFileSync(hook, HOOK);
  const log = path.join(dir, 'modules.txt');
  const g = await prepareGateway({
    dir: path.join(dir, 'gateway'),
    organ: { id: '000.00.24.H44', name: 'UBND xã Tiên Lương', abbreviation: 'UBND' },
    hsm: dev.hsm,
    softhsm2Conf: dev.softhsm2Conf,
    trustDir: dev.trustDir,
    // Nothing listens there: the relay keeps retrying in the background, start-up does not wait.
    axis: { endpoint: `http://127.0.0.1:${await freePort()}/axis`, secret: 'c3RhcnR1cC10ZXN0LXNlY3JldA==' },
  });
  g.env['MODULE_LOG'] = log;
  const gw = await spawnGateway(g, { nodeArgs: [...SERVICE_NODE_OPTIONS, '--import', hook] });
  t.teardown(() => gw.kill());
  // No request on purpose: the first request of a route loads its compilers, which is the point.
  const ready = JSON.parse(gw.lines.find((l) => l.includes('edoc-gateway ready')) ?? '{}') as { hsm?: string };
  t.equal(ready.hsm, 'ready', 'ready means the HSM is logged in');
  t.equal(await gw.stop(), 0, 'clean stop');

  const loaded = readFileSync(log, 'utf8').split('\n');
  t.ok(loaded.some((f) => f.includes('/node_modules/graphene-pk11/')), 'the log sees packages (the HSM adapter is loaded)');
  t.ok(loaded.some((f) => f.includes('/node_modules/fastify/')), 'the log sees packages (fastify is loaded)');
  const absent: [string, RegExp][] = [
    ['TypeBox', /\/node_modules\/@sinclair\/typebox\//],
    ["ajv's compiler", /\/node_modules\/ajv\/dist\/(ajv|core)\.js$/],
    ["fastify's request validator compiler", /\/node_modules\/@fastify\/ajv-compiler\//],
    ["fastify's response serializer compiler", /\/node_modules\/@fastify\/fast-json-stringify-compiler\//],
    ['swagger', /\/node_modules\/@fastify\/swagger\//],
    ['YAML', /\/node_modules\/yaml\//],
    ['the serial stack', /\/node_modules\/(serialport|@serialport)\//],
    ['the embedded axis simulator', /\/dist\/axis-sim\//],
    ['the TLS module', /\/dist\/http\/tls\.js$/],
    ['the CMS code (pkijs)', /\/node_modules\/pkijs\//],
    ['@peculiar/x509 (certificate names)', /\/node_modules\/@peculiar\/x509\//],
  ];
  for (const [what, re] of absent) t.notOk(loaded.find((f) => re.test(f)), `${what} is not loaded at start`);
});
