import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileConfigValidator, configValidatorSource } from '../../src/config/validator-source.js';
import { validate as generated } from '../../src/config/validator.generated.js';
import { DEFAULTS } from '../../src/config/defaults.js';
import { checkConfig, ConfigError } from '../../src/config/load.js';

const GENERATED = fileURLToPath(new URL('../../src/config/validator.generated.ts', import.meta.url));

type Validate = ((data: unknown) => boolean) & { errors?: { instancePath: string; keyword: string; params: unknown }[] | null };

const valid = (): Record<string, unknown> => ({
  ...structuredClone(DEFAULTS),
  organ: { id: '000.00.24.H44', name: 'UBND xã Tiên Lương', abbreviation: 'UBND' },
});

t.test('the committed validator is what the schema compiles to (regenerate: EDOC_UPDATE_GENERATED=1)', async (t) => {
  const fresh = configValidatorSource();
  if (process.env['EDOC_UPDATE_GENERATED'] === '1') writeFileSync(GENERATED, fresh);
  t.equal(readFileSync(GENERATED, 'utf8'), fresh, 'src/config/validator.generated.ts is stale: regenerate it');
});

t.test('the generated validator gives the same verdict and errors as ajv compiling the schema', async (t) => {
  const fresh = compileConfigValidator() as unknown as Validate;
  const gen = generated as unknown as Validate;
  const cases: [string, (c: Record<string, unknown>) => void][] = [
    ['valid defaults', () => undefined],
    ['unknown top-level field', (c) => (c['bogus'] = 1)],
    ['bad organ id and missing name', (c) => (c['organ'] = { id: 'not an organ id', abbreviation: 'U' })],
    ['name over 300 characters (counted in code points)', (c) => ((c['organ'] as Record<string, unknown>)['name'] = '𝔸'.repeat(301))],
    ['name of 300 astral characters is fine', (c) => ((c['organ'] as Record<string, unknown>)['name'] = '𝔸'.repeat(300))],
    ['unknown mechanism, sessions out of range', (c) => Object.assign(c['hsm'] as object, { mechanism: 'DSA', sessions: 9 })],
    ['axis matching neither form', (c) => (c['axis'] = { embedded: false })],
    ['embedded axis', (c) => (c['axis'] = { embedded: true })],
    ['duplicate paperless types', (c) => ((c['relay'] as Record<string, unknown>)['paperlessTypes'] = ['ND', 'ND'])],
    ['tls of the wrong type', (c) => ((c['http'] as Record<string, unknown>)['tls'] = 'yes')],
    ['display line without baud rate', (c) => (c['display'] = { path: '/dev/ttyUSB0' })],
    ['webhook without events', (c) => (c['webhooks'] = [{ url: 'http://x', secretFile: '/s', events: [] }])],
    ['log level unknown', (c) => (c['log'] = { level: 'loud' })],
  ];
  for (const [name, mutate] of cases) {
    const c = valid();
    mutate(c);
    const a = fresh(structuredClone(c));
    const b = gen(structuredClone(c));
    t.equal(b, a, `${name}: same verdict`);
    const strip = (v: Validate): unknown => (v.errors ?? []).map((e) => [e.instancePath, e.keyword, e.params]);
    t.same(strip(gen), strip(fresh), `${name}: same errors`);
  }
  t.ok(gen(valid()), 'the defaults with an organ are valid');
  const long = valid();
  (long['organ'] as Record<string, unknown>)['name'] = '𝔸'.repeat(301);
  t.notOk(gen(long), '301 characters outside the BMP are over maxLength 300 (code points, not UTF-16 units)');
});

t.test('checkConfig reports every schema problem together through the generated validator', async (t) => {
  const c = valid();
  (c['organ'] as Record<string, unknown>)['id'] = 'lower case';
  (c['hsm'] as Record<string, unknown>)['mechanism'] = 'DSA';
  c['bogus'] = true;
  const err = t.throws(() => checkConfig(c, { env: {} })) as unknown as ConfigError;
  t.ok(err instanceof ConfigError);
  t.match(err.problems.join('\n'), /organ\.id/);
  t.match(err.problems.join('\n'), /hsm\.mechanism/);
  t.match(err.problems.join('\n'), /unknown field "bogus"/);
  const ok = valid();
  (ok['http'] as Record<string, unknown>)['tls'] = false;
  (ok['http'] as Record<string, unknown>)['listen'] = '127.0.0.1:8443';
  t.equal(checkConfig(ok, { env: {} }).organ.id, '000.00.24.H44');
});
