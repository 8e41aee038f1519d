import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_OPTIONS } from '../../src/systemd/node-options.js';

const UNITS = fileURLToPath(new URL('../../systemd/', import.meta.url));
const SERVICE = join(UNITS, 'edoc-gateway.service');
const BACKUP = join(UNITS, 'edoc-gateway-backup.service');
const TIMER = join(UNITS, 'edoc-gateway-backup.timer');

function has(tool: string): boolean {
  return !spawnSync(tool, ['--version']).error;
}

function run(cmd: string, args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Every assignment of the unit, in order (comments and sections dropped). */
async function settings(path: string): Promise<[string, string][]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => /^[A-Za-z]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
}

t.test('the service unit states what the appliance relies on', async (t) => {
  const s = await settings(SERVICE);
  const one = (k: string): string | undefined => s.find(([key]) => key === k)?.[1];
  const all = (k: string): string[] => s.filter(([key]) => key === k).map(([, v]) => v);
  t.equal(one('Type'), 'notify');
  t.equal(one('NotifyAccess'), 'main', 'sd_notify comes from the main PID (unix-dgram)');
  t.equal(one('WatchdogSec'), '30s');
  t.equal(one('ExecStart'), '/usr/bin/edoc-gateway serve --config /etc/edoc-gateway/config.json');
  t.equal(one('Restart'), 'on-failure');
  t.equal(one('RestartPreventExitStatus'), '78', 'bad configuration is not retried');
  t.equal(one('User'), 'edoc-gateway');
  t.equal(one('StateDirectoryMode'), '0700');
  t.same(all('LoadCredential').map((v) => v.split(':')[0]), ['hsm-pin', 'axis-secret']);
  t.equal(one('CapabilityBoundingSet'), '');
  t.notOk(one('MemoryDenyWriteExecute'), 'not set: V8 needs W+X pages for its JIT');
  t.ok(all('DeviceAllow').some((v) => v.startsWith('char-usb_device')), 'the USB HSM is reachable');
  t.ok(all('Environment').includes(`NODE_OPTIONS=${SERVICE_NODE_OPTIONS.join(' ')}`), 'the node options the benchmarks measured');
});

const NO_ANALYZE = has('systemd-analyze') ? false : 'systemd-analyze not installed (Debian package systemd): cannot check the units here';
const NO_SYSUSERS = has('systemd-sysusers') && has('systemd-tmpfiles') ? false : 'systemd-sysusers/systemd-tmpfiles not installed: cannot apply the snippets here';

t.test('systemd-analyze verify accepts the units', { skip: NO_ANALYZE }, async (t) => {
  // verify insists that ExecStart's binary exists; check a copy that points at a stand-in.
  const dir = t.testdir();
  const bin = join(dir, 'edoc-gateway');
  await writeFile(bin, '#!/bin/sh\nexit 0\n');
  await chmod(bin, 0o755);
  const unit = (await readFile(SERVICE, 'utf8')).replaceAll('/usr/bin/edoc-gateway', bin);
  t.not(unit, await readFile(SERVICE, 'utf8'), 'the ExecStart binary was replaced');
  await writeFile(join(dir, 'edoc-gateway.service'), unit);
  await copyFile(BACKUP, join(dir, 'edoc-gateway-backup.service'));
  await copyFile(TIMER, join(dir, 'edoc-gateway-backup.timer'));
  const names = ['edoc-gateway.service', 'edoc-gateway-backup.service', 'edoc-gateway-backup.timer'];
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', ...names.map((n) => join(dir, n))], { encoding: 'utf8', cwd: dir });
  // Unknown keys and bad values are only warnings (exit 0): any line about our files fails.
  const ours = r.stderr.split('\n').filter((l) => /edoc-gateway/.test(l));
  t.equal(r.status, 0, r.stderr);
  t.same(ours, [], 'no warning about the units');
});

t.test('systemd-analyze security rates the units 2.0 or better', { skip: NO_ANALYZE }, async (t) => {
  for (const unit of [SERVICE, BACKUP]) {
    const r = run('systemd-analyze', ['security', '--offline=yes', '--no-pager', unit]);
    const m = /Overall exposure level for [^:]+: (\d+\.\d+)/.exec(r.out);
    t.ok(m, `exposure line found for ${unit}`);
    const level = Number(m?.[1] ?? NaN);
    t.ok(level <= 2.0, `${unit.split('/').pop()} exposure ${level} <= 2.0`);
  }
});

t.test('every exposure systemd-analyze security still lists is justified in a comment of the unit', { skip: NO_ANALYZE }, async (t) => {
  for (const unit of [SERVICE, BACKUP]) {
    const name = unit.split('/').pop();
    const lines = (await readFile(unit, 'utf8')).split('\n');
    const r = run('systemd-analyze', ['security', '--offline=yes', '--no-pager', unit]);
    // "✗ RestrictAddressFamilies=~AF_UNIX   Service may …" → RestrictAddressFamilies
    const exposed = [...new Set([...r.out.matchAll(/^✗ ([A-Za-z]+)[=/]/gm)].map((m) => m[1]!))];
    t.ok(exposed.length > 0, `${name}: the exposures were listed`);
    for (const setting of exposed) {
      // Set in the unit: the comment sits right above it. Left off: a comment names it.
      const at = lines.findIndex((l) => l.startsWith(`${setting}=`));
      const justified = at >= 0 ? (lines[at - 1] ?? '').startsWith('#') : lines.some((l) => l.startsWith('#') && l.includes(`${setting}=`));
      t.ok(justified, `${name}: ${setting} is explained in a comment`);
    }
  }
});

t.test('the state lock can tell a stale lock after a reboot: /proc/sys stays visible', async (t) => {
  // ProcSubset=pid hides /proc/sys/kernel/random/boot_id, which src/store/lock.ts needs to judge a
  // lock left by a power cut (its PID may be reused on the next boot).
  for (const unit of [SERVICE, BACKUP]) {
    const s = await settings(unit);
    t.notOk(s.some(([k, v]) => k === 'ProcSubset' && v !== 'all'), `${unit.split('/').pop()} does not hide /proc/sys`);
  }
});

t.test('sysusers.d and tmpfiles.d snippets create the account and directories', { skip: NO_SYSUSERS }, async (t) => {
  // A scratch root with the host's account files, so `dialout` and `root` resolve as on a Pi.
  const root = t.testdir();
  await mkdir(join(root, 'etc'), { recursive: true });
  for (const f of ['passwd', 'group']) await copyFile(`/etc/${f}`, join(root, 'etc', f));
  const users = run('systemd-sysusers', [`--root=${root}`, join(UNITS, 'sysusers.d/edoc-gateway.conf')]);
  t.equal(users.code, 0, `systemd-sysusers succeeded ${users.err}`.trim());
  const passwd = await readFile(join(root, 'etc/passwd'), 'utf8');
  const entry = passwd.split('\n').find((l) => l.startsWith('edoc-gateway:'))?.split(':');
  t.ok(entry, 'the edoc-gateway user exists');
  t.equal(entry?.[5], '/var/lib/edoc-gateway');
  t.equal(entry?.[6], '/usr/sbin/nologin');

  const files = run('systemd-tmpfiles', [`--root=${root}`, '--create', join(UNITS, 'tmpfiles.d/edoc-gateway.conf')]);
  t.equal(files.code, 0, `systemd-tmpfiles succeeded ${files.err}`.trim());
  const uid = Number(entry?.[2]);
  const mode = async (p: string): Promise<{ mode: string; uid: number; gid: number }> => {
    const s = await stat(join(root, p));
    return { mode: (s.mode & 0o7777).toString(8), uid: s.uid, gid: s.gid };
  };
  t.same(await mode('etc/edoc-gateway'), { mode: '750', uid: 0, gid: Number(entry?.[3]) }, 'config readable by the service group only');
  t.same(await mode('etc/edoc-gateway/credentials'), { mode: '700', uid: 0, gid: 0 }, 'credential sources: root only');
  t.same(await mode('var/backups/edoc-gateway'), { mode: '700', uid, gid: Number(entry?.[3]) }, 'backups: the service account only');
});
