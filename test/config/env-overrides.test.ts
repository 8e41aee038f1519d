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
