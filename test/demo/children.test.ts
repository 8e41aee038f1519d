import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { until } from '../support/office.js';

/**
 * The demo's children die with it even when it gets no chance to stop them (SIGKILL): a process
 * that starts a child through spawnTracked (the built module, as the demo runs it) is killed, and
 * the child must go too.
 */
const CHILDREN = fileURLToPath(new URL('../../dist/demo/children.js', import.meta.url));

const PARENT = `const { spawnTracked } = await import(process.argv[1]);
const c = spawnTracked('sleep', ['300'], { stdio: 'ignore' });
process.stdout.write(c.pid + '\\n');
setInterval(() => undefined, 60_000);`;

/** Whether PID still runs (a zombie, dead but not yet reaped by init, counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

t.test('a SIGKILLed demo leaves no child behind', async (t) => {
  const parent = spawn(process.execPath, ['--input-type=module', '-e', PARENT, CHILDREN], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const pid = await until(() => Number(out.split('\n')[0]) || null, 20_000, 'the child pid');
  t.teardown(() => {
    parent.kill('SIGKILL');
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  // Once the command is exec'd, the kernel link is in place (set just before the exec).
  await until(() => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep';
    } catch {
      return false;
    }
  }, 20_000, 'the child to run sleep');
  parent.kill('SIGKILL');
  await new Promise((r) => parent.once('exit', r));
  await until(() => !alive(pid), 20_000, 'the child to die with its parent');
  t.pass('the child died with its parent');
});
