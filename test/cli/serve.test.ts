import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CLI } from '../support/cli.js';

/**
 * `edoc-gateway serve --config F` as systemd runs it, a real process: it answers
 * GET /api/v1/health on the configured listen address (here set by an EDOC_GATEWAY_* override,
 * which wins over the file), logs JSON lines to stdout, and stops cleanly on SIGTERM (exit 0).
 * The HSM module does not exist: a missing device degrades the service, it does not stop it.
 */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

t.test('serve answers health on the configured address, logs JSON, stops on SIGTERM', async (t) => {
  const dir = t.testdir();
  mkdirSync(join(dir, 'trust'));
  const [filePort, envPort] = [await freePort(), await freePort()];
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      organ: { id: '000.46.24.H44', name: 'UBND xã Tiên Lương', abbreviation: 'UBND' },
      stateDir: 'state', // relative: next to the config file
      http: { listen: `127.0.0.1:${filePort}`, tls: false },
      hsm: { module: join(dir, 'no-such-pkcs11.so'), pinFile: join(dir, 'no-pin') },
      trust: { anchors: 'trust' },
      axis: { embedded: true, pollSeconds: 3600 },
      log: { level: 'info' },
    }),
  );
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('EDOC_GATEWAY_') && k !== 'NOTIFY_SOCKET' && k !== 'WATCHDOG_USEC') env[k] = v;
  Object.assign(env, { EDOC_GATEWAY_HTTP_LISTEN: `127.0.0.1:${envPort}`, RUNTIME_DIRECTORY: '' });

  const child = spawn(process.execPath, [CLI, 'serve', '--config', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  t.teardown(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n').find((l) => l.includes('"edoc-gateway ready"'));
      if (line) resolve(JSON.parse(line) as Record<string, unknown>);
    });
    void exited.then((code) => reject(new Error(`serve exited (${code}) before ready:\n${stdout}\n${stderr}`)));
  });
  const line = await ready;
  t.equal(line['url'], `http://127.0.0.1:${envPort}`, 'listening where the override says');

  const res = await fetch(`http://127.0.0.1:${envPort}/api/v1/health`);
  t.equal(res.status, 200);
  const body = (await res.json()) as Record<string, unknown>;
  t.match(body, { status: /^(ok|degraded)$/, hsm: { state: String }, store: { state: 'ok' } });
  t.not((body['hsm'] as { state: string }).state, 'ready', 'no token: the HSM is reported as not ready');
  await t.rejects(fetch(`http://127.0.0.1:${filePort}/api/v1/health`), 'nothing on the port the override replaced');
  t.ok(existsSync(join(dir, 'state', 'db')), 'the relative stateDir is next to the config file');

  child.kill('SIGTERM');
  t.equal(await exited, 0, `SIGTERM: exit 0 (${stderr.trim()})`);
  const lines = stdout.split('\n').filter(Boolean);
  for (const l of lines) t.doesNotThrow(() => JSON.parse(l), `JSON line: ${l.slice(0, 80)}`);
  t.ok(lines.some((l) => (JSON.parse(l) as { msg?: string }).msg === 'stopped'), 'logged its stop');
});
