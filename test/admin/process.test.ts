import t from 'tap';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CLI, runCli } from '../support/cli.js';

/**
 * The admin commands as a real process (the built CLI, as `npx edoc-gateway` runs it): the
 * password arrives on stdin, the key is printed once, exit codes follow the contract.
 */
const built = existsSync(CLI);
{
  const dir = await mkdtemp(path.join(os.tmpdir(), 'edoc-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const state = path.join(dir, 'state');
  const env = { EDOC_GATEWAY_CONFIG: '', RUNTIME_DIRECTORY: '' };

  t.test('user, apikey, backup and restore as commands', { skip: built ? false : `the CLI is not built (${CLI}); npm test builds it first` }, async (t) => {
    const add = await runCli(['user', 'add', 'van.thu', '--role', 'clerk', '--state-dir', state], { input: 'mat-khau-van-thu\n', env });
    t.equal(add.code, 0, add.stderr);
    t.match(add.stdout, /added: van\.thu \(clerk\)/);
    t.match(add.stderr, /no service running/);
    const noPw = await runCli(['user', 'passwd', 'van.thu', '--state-dir', state], { env });
    t.equal(noPw.code, 2, 'no password on stdin is a usage error');
    const list = await runCli(['user', 'list', '--json', '--state-dir', state], { env });
    t.match(JSON.parse(list.stdout), [{ username: 'van.thu', role: 'clerk' }]);
    const key = await runCli(['apikey', 'create', 'qlvb', '--role', 'viewer', '--json', '--state-dir', state], { env });
    t.match(JSON.parse(key.stdout), { name: 'qlvb', role: 'viewer', key: /^edk_/ });
    const backup = path.join(dir, 'b.tgz');
    t.equal((await runCli(['backup', '--out', backup, '--state-dir', state], { env })).code, 0);
    const restored = await runCli(['restore', '--in', backup, '--state-dir', path.join(dir, 'restored')], { env });
    t.equal(restored.code, 0, restored.stderr);
    const help = await runCli(['user', '--help'], { env });
    t.match(help.stdout, /password is read from standard input/);
  });
}
