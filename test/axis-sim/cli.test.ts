import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { axisSimCommand } from '../../src/cli/commands/axis-sim.js';
import { UsageError } from '../../src/cli/args.js';
import { VpcpAxis } from '../../src/relay/vpcp/adapter.js';
import { AGENCIES, A } from '../support/axis-sim.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (s: string) => out.push(s), err: (s: string) => err.push(s), json: false, env: {}, readStdin: async () => '', lines: { out, err } };
}

t.test('usage: --help, missing options, bad agencies file', async (t) => {
  const h = io();
  t.equal(await axisSimCommand(['--help'], h), 0);
  t.match(h.lines.out.join('\n'), /--listen HOST:PORT --state DIR --agencies FILE/);
  await t.rejects(axisSimCommand(['--state', '/tmp/x'], io()), UsageError);
  await t.rejects(axisSimCommand(['--listen', 'nope', '--state', '/tmp/x', '--agencies', 'f'], io()), UsageError);
  const dir = t.testdir({ 'bad.json': '[{"id":"lower.case","secret":"x"}]' });
  const e = io();
  t.equal(await axisSimCommand(['--listen', '127.0.0.1:0', '--state', join(dir, 's'), '--agencies', join(dir, 'bad.json')], e), 78);
  t.match(e.lines.err.join('\n'), /OrganId/);
  // A secret written without quotes: the error says what is wrong without quoting the file.
  const leak = t.testdir({ 'a.json': '[{"id":"000.00.00.G22","name":"x","secret":c2VjcmV0LXVucXVvdGVk}]' });
  const l = io();
  t.equal(await axisSimCommand(['--listen', '127.0.0.1:0', '--state', join(leak, 's'), '--agencies', join(leak, 'a.json')], l), 78);
  t.match(l.lines.err.join('\n'), /not valid JSON/);
  t.notOk(l.lines.err.join('\n').includes('c2VjcmV0'), 'no part of the secret in the error');
});

t.test('runs as a process, serves the protocol, stops on SIGTERM with exit 0', async (t) => {
  const dir = t.testdir();
  await writeFile(join(dir, 'agencies.json'), JSON.stringify(AGENCIES));
  const script = new URL('../support/axis-sim-cli.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, [...process.execArgv, script, '--listen', '127.0.0.1:0', '--state', join(dir, 'state'), '--agencies', join(dir, 'agencies.json'), '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      stdout += c;
      const m = /"url":"([^"]+)"/.exec(stdout);
      if (m) resolve(m[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  const client = new VpcpAxis({ endpoint: url, systemId: A, secret: AGENCIES[0]!.secret });
  t.equal((await client.getAgenciesList()).length, AGENCIES.length);
  await client.close();
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  t.equal(code, 0);
  for (const a of AGENCIES) t.notOk(stderr.includes(a.secret), 'no secret in the logs');
});
