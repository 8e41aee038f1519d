import t from 'tap';
import { applyEnvOverrides } from '../../src/config/env-overrides.js';

t.test('overrides reach nested scalars, both spellings, typed by the value they replace', async (t) => {
  const c: Record<string, unknown> = {
    stateDir: '/a',
    organ: { id: '000.00.00.G22' },
    hsm: { pinFile: '/p', sessions: 2 },
    policy: { acceptUnsigned: false },
    display: null,
  };
  const problems = applyEnvOverrides(c, {
    EDOC_GATEWAY_STATE_DIR: '/b',
    EDOC_GATEWAY_ORGAN_ID: '0101234567',
    EDOC_GATEWAY_HSM_PINFILE: '/q',
    EDOC_GATEWAY_HSM_SESSIONS: '4',
    EDOC_GATEWAY_POLICY_ACCEPT_UNSIGNED: 'true',
    EDOC_GATEWAY_CONFIG: '/etc/x.json',
    EDOC_GATEWAY_NOPE: 'x',
  });
  t.equal(c['stateDir'], '/b');
  t.same(c['organ'], { id: '0101234567' }, 'digits-only organ id stays a string');
  t.same(c['hsm'], { pinFile: '/q', sessions: 4 });
  t.same(c['policy'], { acceptUnsigned: true });
  t.same(problems, [{ variable: 'EDOC_GATEWAY_NOPE', problem: 'does not name a configuration scalar' }]);
});

t.test('an override of a scalar inside a section left null or as a word switches it to its object form', async (t) => {
  const c: Record<string, unknown> = { http: { listen: '0.0.0.0:8443', tls: 'self-signed' }, display: null, console: null };
  const problems = applyEnvOverrides(c, {
    EDOC_GATEWAY_HTTP_TLS_CERT: '/etc/edoc-gateway/tls.crt',
    EDOC_GATEWAY_HTTP_TLS_KEY: '/etc/edoc-gateway/tls.key',
    EDOC_GATEWAY_DISPLAY_PATH: '/dev/ttyUSB0',
    EDOC_GATEWAY_CONSOLE_BAUD_RATE: '9600',
    EDOC_GATEWAY_CONSOLE_PATH: '/dev/ttyAMA0',
    EDOC_GATEWAY_DISPLAY_COLOUR: 'blue',
  });
  t.same(c['http'], { listen: '0.0.0.0:8443', tls: { cert: '/etc/edoc-gateway/tls.crt', key: '/etc/edoc-gateway/tls.key' } });
  t.same(c['display'], { path: '/dev/ttyUSB0', baudRate: 115200 }, 'the default baud rate with the path');
  t.same(c['console'], { path: '/dev/ttyAMA0', baudRate: 9600 });
  t.same(problems, [{ variable: 'EDOC_GATEWAY_DISPLAY_COLOUR', problem: 'does not name a configuration scalar' }], 'a key the section does not have is still refused');
});

t.test('a configured section is overridden key by key, at any depth', async (t) => {
  const c: Record<string, unknown> = { http: { tls: { cert: '/a', key: '/b' } }, display: { path: '/dev/x', baudRate: 115200 } };
  t.same(applyEnvOverrides(c, { EDOC_GATEWAY_HTTP_TLS_KEY: '/c', EDOC_GATEWAY_DISPLAY_BAUDRATE: '57600' }), []);
  t.same(c, { http: { tls: { cert: '/a', key: '/c' } }, display: { path: '/dev/x', baudRate: 57600 } });
});
