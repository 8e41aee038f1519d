import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { Auth } from '../../src/auth/index.js';
import { startAdminServer } from '../../src/admin/server.js';
import { AdminClient } from '../../src/admin/client.js';
import { serviceAdminContext } from '../../src/admin/service-context.js';
import { adminSocketPath } from '../../src/admin/socket-path.js';
import { Store, liveLockHolder } from '../../src/store/index.js';
import { OFFICE_A, makeOffices, testLogger } from '../support/office.js';
import { FAST_SCRYPT, PASSWORD, makeHttp } from '../support/http.js';

/**
 * The admin commands through the CLI dispatcher (in-process, real stdin/stdout capture): first with
 * no service (the CLI takes the state lock and opens the store itself), then against a running
 * service over its admin socket, where changes are visible to the LAN API at once.
 */
// Unix socket paths are limited to 107 bytes: a short temp dir, not the tap fixture dir.
const base = await mkdtemp(path.join(os.tmpdir(), 'edoc-admin-'));
t.teardown(() => rm(base, { recursive: true, force: true }));
const today = new Date().toISOString().slice(0, 10);

interface Ran {
  code: number;
  out: string;
  err: string;
}

async function cli(argv: string[], stdin = ''): Promise<Ran> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (s) => void (out += s.endsWith('\n') ? s : `${s}\n`),
    err: (s) => void (err += s.endsWith('\n') ? s : `${s}\n`),
    json: argv.includes('--json'),
    env: {},
    readStdin: async () => stdin,
  };
  const code = await run(argv, io);
  return { code, out, err };
}

t.test('no service running: the CLI works on the state directory under its lock', async (t) => {
  const state = path.join(base, 'state-local');
  const sd = ['--state-dir', state];
  const add = await cli(['user', 'add', 'an.nguyen', '--role', 'clerk', ...sd], `${PASSWORD}\n`);
  t.equal(add.code, 0, add.err);
  t.match(add.out, /added: an\.nguyen \(clerk\)/);
  t.match(add.err, /no service running/, 'says it works without the service');
  t.equal((await cli(['user', 'add', 'binh', '--role', 'viewer', ...sd])).code, 2, 'no password on stdin: usage error');
  t.equal((await cli(['user', 'add', 'binh', '--role', 'boss', ...sd], `${PASSWORD}\n`)).code, 2, 'bad role: usage error');
  t.equal((await cli(['user', 'add', 'an.nguyen', '--role', 'clerk', ...sd], `${PASSWORD}\n`)).code, 1, 'exists');
  const list = await cli(['user', 'list', '--json', ...sd]);
  t.match(JSON.parse(list.out), [{ username: 'an.nguyen', role: 'clerk', disabled: false }]);
  t.notMatch(list.out, /scrypt|passwordHash/, 'never the hash');
  t.equal((await cli(['user', 'passwd', 'an.nguyen', ...sd], 'mat-khau-moi-123\n')).code, 0);
  const key = await cli(['apikey', 'create', 'qlvb', '--role', 'clerk', ...sd]);
  t.equal(key.code, 0);
  const secret = /edk_\S+/.exec(key.out)?.[0];
  t.ok(secret, 'the key is printed once');
  const keys = await cli(['apikey', 'list', ...sd]);
  t.match(keys.out, /qlvb\s+clerk/);
  t.notOk(keys.out.includes(secret!), 'not in the list');
  t.equal(await liveLockHolder(state), null, 'the lock is released after each command');

  // What the commands wrote is what the service will read.
  const store = await Store.open({ stateDir: state });
  const auth = new Auth({ store, logger: testLogger(), scrypt: FAST_SCRYPT });
  t.ok(await auth.users.check('an.nguyen', 'mat-khau-moi-123'), 'new password works');
  t.notOk(await auth.users.check('an.nguyen', PASSWORD), 'old one does not');
  t.ok(auth.fromApiKey(secret!), 'the key authenticates');
  t.equal((await cli(['user', 'list', ...sd])).code, 69, 'while another process holds the lock and no socket answers: unavailable');
  await store.close();

  t.equal((await cli(['apikey', 'revoke', 'qlvb', ...sd])).code, 0);
  t.equal((await cli(['user', 'disable', 'an.nguyen', ...sd])).code, 0);
  t.match((await cli(['user', 'list', ...sd])).out, /an\.nguyen\s+clerk\s+disabled/);

  const backupFile = path.join(base, 'local.backup');
  const b = await cli(['backup', '--out', backupFile, ...sd]);
  t.equal(b.code, 0, b.err);
  t.equal((await stat(backupFile)).mode & 0o777, 0o600, 'backup is 0600');
  const rep = await cli(['report', '--from', today, '--to', today, '--format', 'json', ...sd]);
  t.match(JSON.parse(rep.out), { from: today, byDirection: { outgoing: 0, incoming: 0 } });
  t.match((await cli(['report', '--from', today, '--to', today, ...sd])).out, /Overdue receipts: none/);
  t.match((await cli(['report', '--from', today, '--to', today, '--format', 'csv', ...sd])).out, /^section,key,direction,count/);
  t.equal((await cli(['report', '--from', today, ...sd])).code, 2, 'missing --to');

  const restored = path.join(base, 'restored');
  const r = await cli(['restore', '--in', backupFile, '--state-dir', restored]);
  t.equal(r.code, 0, r.err);
  const rs = await Store.open({ stateDir: restored });
  t.match((rs.activeGet('users', 'an.nguyen') as { disabled: boolean }).disabled, true, 'restored state has the users');
  await rs.close();
  const refused = await cli(['restore', '--in', backupFile, '--state-dir', state]);
  t.equal(refused.code, 1, 'a non-empty state directory needs --force');
  t.match(refused.err, /--force/);
  const forced = await cli(['restore', '--in', backupFile, '--state-dir', state, '--force']);
  t.equal(forced.code, 0, forced.err);
  t.ok((await readdir(base)).some((n) => n.startsWith('state-local.before-restore-')), 'the previous state is kept aside');
});

t.test('a running service: the CLI goes through the admin socket', async (t) => {
  const env = await makeOffices(path.join(base, 'o'), [OFFICE_A]);
  t.teardown(() => env.close());
  const a = env.offices[0]!;
  const state = a.core.store.stateDir;
  const auth = new Auth({ store: a.core.store, logger: testLogger(), scrypt: FAST_SCRYPT });
  const h = await makeHttp(a, { auth });
  t.teardown(() => h.close());
  const sockPath = adminSocketPath(state, {});
  const server = await startAdminServer({ path: sockPath, ctx: serviceAdminContext({ core: a.core, auth, config: a.config, logger: testLogger() }), logger: testLogger() });
  t.teardown(() => server.close());
  t.equal((await stat(sockPath)).mode & 0o777, 0o600, 'the socket is owner-only');
  const sd = ['--state-dir', state];

  const add = await cli(['user', 'add', 'chi.le', '--role', 'viewer', ...sd], `${PASSWORD}\n`);
  t.equal(add.code, 0, add.err);
  t.notMatch(add.err, /no service running/, 'through the service');
  const signIn = await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'chi.le', password: PASSWORD } });
  t.equal(signIn.statusCode, 200, 'the new user can sign in at once');
  const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;

  const key = /edk_\S+/.exec((await cli(['apikey', 'create', 'dms', '--role', 'clerk', ...sd])).out)?.[0];
  t.ok(key);
  t.equal((await h.app.inject({ url: '/api/v1/organs', headers: { authorization: `Bearer ${key}` } })).statusCode, 200);
  t.equal((await cli(['apikey', 'revoke', 'dms', ...sd])).code, 0);
  t.equal((await h.app.inject({ url: '/api/v1/organs', headers: { authorization: `Bearer ${key}` } })).statusCode, 401, 'revoked at once');
  t.equal((await cli(['user', 'passwd', 'chi.le', ...sd], 'mot-mat-khau-khac\n')).code, 0);
  t.equal((await h.app.inject({ url: '/api/v1/documents', headers: { cookie } })).statusCode, 401, 'a password change ends the sessions');
  t.equal((await cli(['user', 'disable', 'ghost', ...sd])).code, 1, 'unknown user');

  const backupFile = path.join(base, 'running.backup');
  const b = await cli(['backup', '--out', backupFile, '--json', ...sd]);
  t.equal(b.code, 0, b.err);
  t.match(JSON.parse(b.out), { file: backupFile, files: Number });
  t.notOk((await readdir(path.dirname(backupFile))).some((n) => n.endsWith('.tmp')), 'no temp file next to the backup');
  t.same(await readdir(path.join(state, 'tmp', 'admin')), [], 'the service removed its copy');
  const restored = path.join(base, 'restored-running');
  t.equal((await cli(['restore', '--in', backupFile, '--state-dir', restored])).code, 0);
  const rs = await Store.open({ stateDir: restored });
  t.ok(rs.activeGet('users', 'chi.le'), 'the backup of the running service holds the new user');
  await rs.close();

  const refused = await cli(['restore', '--in', backupFile, '--force', ...sd]);
  t.equal(refused.code, 69, 'restore refuses a running service’s state');
  t.match(refused.err, /running/);
  t.ok(a.core.store.activeGet('users', 'chi.le'), 'nothing was changed');

  const rep = await cli(['report', '--from', today, '--to', today, '--json', ...sd]);
  t.equal(rep.code, 0);
  t.match(JSON.parse(rep.out), { from: today, to: today });

  const st = await cli(['selftest', ...sd]);
  t.equal(st.code, 0, st.out + st.err);
  t.match(st.out, /^ok\s+hsm\s+signed and verified \(RSA-PKCS, certificate trusted\)/m);
  t.match(st.out, /^ok\s+store/m);
  t.match(st.out, /^skip\s+display/m);
  t.match(st.out, /^ok\s+axis\s+reachable/m);

  const client = await AdminClient.connect(sockPath);
  const info = (await client.call('hsm.info')) as { tokenLabel: string; state: string };
  t.match(info, { tokenLabel: a.config.hsm.tokenLabel, state: 'ready' }, 'hsm info over the socket');
  const pin = (await readFile(a.config.hsm.pinFile, 'utf8')).trim();
  t.notOk(JSON.stringify(info).includes(pin), 'never the PIN');
  t.match(await client.call('audit.verify'), { ok: true }, 'audit verify over the socket');
  // `hsm info` asks the running service: the admin needs no PIN (here: a PIN file it cannot read).
  const cfgFile = path.join(base, 'running-config.json');
  await writeFile(cfgFile, JSON.stringify({ ...a.config, http: { listen: '127.0.0.1:8443', tls: false }, hsm: { ...a.config.hsm, pinFile: path.join(base, 'no-such-pin') } }));
  const hi = await cli(['hsm', 'info', '--json', '--config', cfgFile]);
  t.equal(hi.code, 0, hi.err);
  t.match(JSON.parse(hi.out), { tokenLabel: a.config.hsm.tokenLabel, state: 'ready' }, 'hsm info shows the service’s token, logged in');
  t.notOk(hi.out.includes(pin), 'never the PIN');
  await t.rejects(client.call('rm -rf'), { code: 'BAD_REQUEST' }, 'unknown operations are refused');
  client.close();

  await server.close();
  const dead = await cli(['user', 'list', ...sd]);
  t.equal(dead.code, 69, 'service up but its socket gone: unavailable, and said so');
  t.match(dead.err, /does not answer/);
});

t.test('admin socket: a live one is not taken over, a stale one is, a non-socket path is refused', async (t) => {
  const dir = path.join(base, 'sock');
  await mkdir(dir);
  const store = await Store.open({ stateDir: path.join(dir, 'state') });
  t.teardown(() => store.close());
  const ctx = { store, auth: new Auth({ store, logger: testLogger() }), logger: testLogger(), report: async () => { throw new Error('n/a'); }, selftest: async () => [], hsmInfo: async () => { throw new Error('n/a'); } };
  const p = path.join(dir, 'admin.sock');
  const s1 = await startAdminServer({ path: p, ctx, logger: testLogger() });
  await t.rejects(startAdminServer({ path: p, ctx, logger: testLogger() }), { code: 'STATE_LOCKED' });
  await s1.close();
  t.notOk(existsSync(p), 'removed on close');
  // A socket left behind by a killed process (bound, never unlinked) is taken over.
  const stale = path.join(dir, 'stale.sock');
  execFileSync('python3', ['-c', 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])', stale]);
  t.ok((await stat(stale)).isSocket());
  const s2 = await startAdminServer({ path: stale, ctx, logger: testLogger() });
  t.same(await (await AdminClient.connect(stale)).call('ping'), { pid: process.pid, stateDir: store.stateDir }, 'answers on the reclaimed path');
  await s2.close();
  await writeFile(path.join(dir, 'not-a-socket'), 'x');
  await t.rejects(startAdminServer({ path: path.join(dir, 'not-a-socket'), ctx, logger: testLogger() }), { code: 'CONFIG_INVALID' });
});
