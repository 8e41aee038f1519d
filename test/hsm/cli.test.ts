import t from 'tap';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIo } from '../../src/cli/io.js';
import { hsmCommand } from '../../src/cli/commands/hsm.js';
import { signCommand } from '../../src/cli/commands/sign.js';
import { verifyCommand } from '../../src/cli/commands/verify.js';
import { EXIT } from '../../src/errors.js';

/** The CLI handlers in-process, against a token made by `hsm init-dev` itself. */
function io(json = false): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, json, env: {}, out: (s) => stdout.push(s), err: (s) => stderr.push(s), readStdin: async () => '' };
}

const dir = t.testdir({});

t.test('hsm init-dev, hsm info, sign and verify from the command line', async (t) => {
  const a = io(true);
  t.equal(await hsmCommand(['init-dev', '--dir', join(dir, 'hsm'), '--label', 'office-seal', '--json'], a), EXIT.OK);
  const made = JSON.parse(a.stdout.join('')) as Record<string, string>;
  for (const k of ['softhsm2Conf', 'module', 'tokenLabel', 'keyLabel', 'pinFile', 'caCert', 'cert']) t.ok(made[k], `has ${k}`);
  t.equal(made['tokenLabel'], 'office-seal');
  t.equal(statSync(made['pinFile']!).mode & 0o777, 0o600, 'the PIN file is 0600');
  const pin = readFileSync(made['pinFile']!, 'utf8').trim();

  const configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      organ: { id: '000.00.24.H44', name: 'UBND xã Tiên Lương', abbreviation: 'UBND' },
      stateDir: join(dir, 'state'),
      hsm: { module: made['module'], tokenLabel: made['tokenLabel'], keyLabel: made['keyLabel'], pinFile: made['pinFile'], mechanism: 'RSA-PKCS' },
      signing: { requirePriorSignature: false, signEnvelope: true, tsaUrl: null, sealImage: null, sealWidthMm: 36 },
      trust: { anchors: made['trustDir'] },
      log: { level: 'silent' },
    }),
  );

  const info = io(false);
  t.equal(await hsmCommand(['info', '--config', configFile], info), EXIT.OK);
  const text = info.stdout.join('\n');
  t.match(text, /state\s+ready/);
  t.match(text, /UBND xã Tiên Lương/);
  t.notOk(text.includes(pin), 'hsm info never prints the PIN');

  const doc = join(dir, 'to-sign.txt');
  writeFileSync(doc, 'Quyết định số 01/QĐ-UBND\n');
  const sig = join(dir, 'to-sign.txt.p7s');
  const s = io(true);
  t.equal(await signCommand(['--in', doc, '--out', sig, '--config', configFile], s), EXIT.OK);
  t.match(JSON.parse(s.stdout.join('')), { format: 'cades', output: sig });

  const v = io(false);
  t.equal(await verifyCommand(['--in', doc, '--signature', sig, '--trust', made['caCert']!], v), EXIT.OK);
  t.match(v.stdout.join('\n'), /^VALID/);

  writeFileSync(doc, 'Quyết định số 02/QĐ-UBND\n');
  const bad = io(true);
  t.equal(await verifyCommand(['--in', doc, '--signature', sig, '--config', configFile], bad), EXIT.BAD, 'a changed file → exit 1');
  t.equal(JSON.parse(bad.stdout.join('')).valid, false);

  // A wrong PIN: info says so, exit 69, nothing leaks.
  const wrong = join(dir, 'wrong.pin');
  writeFileSync(wrong, 'secret-wrong-pin\n');
  const cfg = JSON.parse(readFileSync(configFile, 'utf8'));
  cfg.hsm.pinFile = wrong;
  writeFileSync(configFile, JSON.stringify(cfg));
  const w = io(true);
  t.equal(await hsmCommand(['info', '--config', configFile], w), EXIT.UNAVAILABLE);
  t.match(JSON.parse(w.stdout.join('')), { state: 'pin-incorrect', lastError: 'PIN incorrect' });
  t.notOk(w.stdout.join('').includes('secret-wrong-pin'));
  await t.rejects(signCommand(['--in', doc, '--out', sig, '--config', configFile], io()), { code: 'HSM_UNAVAILABLE' });
});

t.test('usage errors', async (t) => {
  await t.rejects(hsmCommand(['init-dev'], io()), { name: 'UsageError' });
  await t.rejects(hsmCommand(['init-dev', '--dir', dir, '--mechanism', 'DSA'], io()), { name: 'UsageError' });
  await t.rejects(signCommand(['--in', 'x'], io()), { name: 'UsageError' });
  await t.rejects(verifyCommand([], io()), { name: 'UsageError' });
  t.equal(await hsmCommand(['--help'], io()), EXIT.OK);
});
