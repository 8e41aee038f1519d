import t from 'tap';
import { ensurePrerequisites, installLine, PREREQUISITES } from '../../src/demo/prerequisites.js';

/**
 * A missing system package is named with the exact apt-get line (and the demo exits 69) when we
 * are not root; as root the demo installs it instead, which a test must not do to this machine.
 */
t.test('missing packages, not root: the exact apt-get line, nothing attempted', async (t) => {
  const said: string[] = [];
  const r = ensurePrerequisites((l) => said.push(l), [
    { pkg: 'softhsm2', present: () => true },
    { pkg: 'socat', present: () => false },
    { pkg: 'edoc-no-such-package', present: () => false },
  ], false);
  t.equal(r.ok, false);
  if (!r.ok) {
    t.same(r.missing, ['socat', 'edoc-no-such-package']);
    t.match(r.message, 'sudo apt-get install -y --no-install-recommends socat edoc-no-such-package');
  }
  t.same(said, [], 'nothing attempted without root');
});

t.test('the real prerequisites are present on this machine (softhsm2, socat)', async (t) => {
  t.same(PREREQUISITES.map((p) => p.pkg), ['softhsm2', 'socat']);
  t.same(ensurePrerequisites(() => undefined), { ok: true, installed: [] });
  t.equal(installLine(['a', 'b']), 'sudo apt-get install -y --no-install-recommends a b');
});
