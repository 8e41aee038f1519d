import t from 'tap';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { runCommand, type CommandDeps } from '../../src/console/commands.js';
import { AppError } from '../../src/errors.js';
import { LogRing } from '../../src/log/ring.js';
import { fixtureSource } from '../support/console.js';

function deps(overrides: Partial<CommandDeps['source']> = {}): { deps: CommandDeps; logged: string[] } {
  const logged: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logged.push(chunk.toString());
      cb();
    },
  });
  return {
    deps: { source: { ...fixtureSource(), ...overrides }, ring: new LogRing(10), logger: pino(sink), timeoutMs: 100, selftestTimeoutMs: 100 },
    logged,
  };
}

t.test('arguments are checked per command', async (t) => {
  const { deps: d } = deps();
  t.same(await runCommand('queue 0', d), ['usage: queue [n] (n from 1 to 100)']);
  t.same(await runCommand('queue 3 4', d), ['usage: queue [n] (n from 1 to 100)']);
  t.same(await runCommand('status now', d), ['usage: status']);
  t.same(await runCommand('frobnicate now please', d), ['unknown command: frobnicate (try help)'], 'unknown wins over usage');
  t.equal((await runCommand('QUEUE 2', d)).length, 1 + 2 + 1, 'commands are case-insensitive');
  t.equal((await runCommand('log 100000', d)).length, 1, 'n is capped; an empty ring says so in one line');
});

t.test('a failing data source shows operator text only', async (t) => {
  const { deps: d, logged } = deps({
    hsm: () => {
      throw new AppError('HSM_UNAVAILABLE', 'token not present (slot "office-seal")');
    },
    net: () => {
      throw new Error('connect ECONNREFUSED with header X-Secret: s3cr3t');
    },
  });
  t.same(await runCommand('hsm', d), ['hsm: token not present (slot "office-seal")']);
  const out = await runCommand('net', d);
  t.same(out, ['net: internal error (details in the log)']);
  t.match(logged.join(''), /console command failed/, 'the details went to the log instead');
});

t.test('a hanging data source times out and the console stays usable', async (t) => {
  const { deps: d } = deps({ status: () => new Promise(() => undefined), selftest: () => new Promise(() => undefined) });
  t.same(await runCommand('status', d), ['status: timed out, try again later']);
  t.same(await runCommand('selftest', d), ['selftest: timed out, try again later']);
  t.match((await runCommand('version', d)).join('\n'), /edoc-gateway/);
});
