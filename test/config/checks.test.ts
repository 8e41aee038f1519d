import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../../src/config/defaults.js';
import { checkConfig, ConfigError } from '../../src/config/load.js';
import { domainConfigChecks } from '../../src/config/domain-checks.js';
import { fileConfigChecks } from '../../src/config/file-checks.js';

/**
 * The loader's checks beyond the schema: they run even when the schema found problems (one run
 * lists everything), never crash on mistyped input, and the file checks see paths resolved
 * against the config file's directory.
 */
const base = (): Record<string, unknown> => ({
  ...structuredClone(DEFAULTS),
  organ: { id: '000.46.24.H44', name: 'UBND xã Tiên Lương', abbreviation: 'UBND' },
  http: { listen: '127.0.0.1:8443', tls: false },
  axis: { embedded: true },
});

const problemsOf = (raw: unknown, opts: Parameters<typeof checkConfig>[1]): string[] => {
  try {
    checkConfig(raw, opts);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

t.test('mistyped sections reach the later checks without crashing them', async (t) => {
  const c = base();
  c['relay'] = null;
  c['organ'] = 'UBND';
  c['hsm'] = { ...(c['hsm'] as object), pinFile: 7 };
  c['webhooks'] = [null];
  const problems = problemsOf(c, { env: {}, extraChecks: [...domainConfigChecks, ...fileConfigChecks] });
  t.ok(problems.length >= 4, problems.join('\n'));
  t.ok(problems.some((p) => p.startsWith('relay: ')));
  t.ok(problems.some((p) => p.startsWith('organ: ')));
  t.ok(problems.some((p) => p.startsWith('hsm.pinFile: ')));
  t.notOk(problems.some((p) => /TypeError|Cannot read properties|undefined/.test(p)), 'no crash text among the problems');
});

t.test('file checks: relative to the config file, every file named, secrets never read', async (t) => {
  const dir = t.testdir();
  mkdirSync(join(dir, 'trust'));
  writeFileSync(join(dir, 'axis-secret'), 'the secret\n');
  mkdirSync(join(dir, 'hook-secret-is-a-dir'));
  const c = {
    ...base(),
    trust: { anchors: 'trust' },
    axis: { endpoint: 'https://lgsp.example/axis', systemId: '000.46.24.H44', secretFile: 'axis-secret', pollSeconds: 60 },
    http: { listen: '0.0.0.0:8443', tls: { cert: 'tls.crt', key: join(dir, 'tls.key') } },
    signing: { ...DEFAULTS.signing, sealImage: 'seal.png' },
    webhooks: [{ url: 'http://127.0.0.1:9/h', secretFile: 'hook-secret-is-a-dir', events: ['outgoing.status'] }],
  };
  const problems = problemsOf(c, { env: {}, baseDir: dir, extraChecks: fileConfigChecks });
  t.same(
    problems.sort(),
    [
      `http.tls.cert: cannot read ${join(dir, 'tls.crt')} (ENOENT)`,
      `http.tls.key: cannot read ${join(dir, 'tls.key')} (ENOENT)`,
      `signing.sealImage: cannot read ${join(dir, 'seal.png')} (ENOENT)`,
      `webhooks.0.secretFile: ${join(dir, 'hook-secret-is-a-dir')} is not a file`,
    ].sort(),
  );
  t.notMatch(problems.join('\n'), /the secret/);
  // Without the extra checks (other commands), missing files are not the loader's business.
  t.same(problemsOf(c, { env: {}, baseDir: dir }), []);
});

t.test('a problem with an overridden value names the variable it came from', async (t) => {
  const problems = problemsOf(base(), { env: { EDOC_GATEWAY_HSM_SESSIONS: 'many', EDOC_GATEWAY_HTTP_LISTEN: '0.0.0.0:8443', EDOC_GATEWAY_NO_SUCH: '1' } });
  t.same(
    problems,
    [
      'EDOC_GATEWAY_NO_SUCH: does not name a configuration scalar',
      'hsm.sessions (from EDOC_GATEWAY_HSM_SESSIONS): must be integer',
      'http.tls: plain HTTP (false) is only allowed on a loopback listen address',
    ],
    'one line for a non-number (not NaN failing every numeric rule); the listen override is checked like the file',
  );
  const ok = checkConfig(base(), { env: { EDOC_GATEWAY_HSM_SESSIONS: '4', EDOC_GATEWAY_LOG_LEVEL: 'warn' } });
  t.equal(ok.hsm.sessions, 4);
  t.equal(ok.log.level, 'warn');
});

t.test('a value outside a list of literals is answered with the list', async (t) => {
  const c = base();
  c['hsm'] = { ...(c['hsm'] as object), mechanism: 'DSA' };
  c['log'] = { level: 'loud' };
  c['http'] = { listen: '127.0.0.1:8443', tls: 'yes' };
  const problems = problemsOf(c, { env: {} });
  t.ok(problems.includes('hsm.mechanism: must be one of "RSA-PKCS", "RSA-PSS", "ECDSA"'), problems.join('\n'));
  t.ok(problems.includes('log.level: must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent"'));
  t.ok(problems.includes('http.tls: does not match any allowed form'), 'an object is allowed too: no misleading list');
});

t.test('overrides can switch on a display and give the service its TLS files (sections left null or as a word)', async (t) => {
  const ok = checkConfig(base(), { env: { EDOC_GATEWAY_DISPLAY_PATH: '/dev/ttyUSB0', EDOC_GATEWAY_HTTP_TLS_CERT: '/etc/t.crt', EDOC_GATEWAY_HTTP_TLS_KEY: '/etc/t.key' } });
  t.same(ok.display, { path: '/dev/ttyUSB0', baudRate: 115200 });
  t.same(ok.http.tls, { cert: '/etc/t.crt', key: '/etc/t.key' });
  t.equal(ok.console, null, 'untouched sections stay as they were');
  // Half a TLS pair is named as missing its other half, with the variable that started it.
  const problems = problemsOf(base(), { env: { EDOC_GATEWAY_HTTP_TLS_CERT: '/etc/t.crt' } });
  t.ok(problems.some((p) => /^http\.tls\b.*key/.test(p)), problems.join('\n'));
});
