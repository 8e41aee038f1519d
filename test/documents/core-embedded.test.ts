import t from 'tap';
import path from 'node:path';
import { DEFAULTS } from '../../src/config/defaults.js';
import { createCore } from '../../src/core.js';
import { EventBus } from '../../src/events.js';
import { embeddedOfficeConfig, makeDevToken, openDevToken } from '../support/softhsm.js';
import { CLERK, OFFICE_A, SAMPLE_PDF, metadataFor, testLogger, until, upload } from '../support/office.js';

/**
 * `axis: { embedded: true }`: the core starts the simulator in-process on loopback, registers the
 * office with a generated secret kept in the state dir, and relays through it like a real axis
 * (here: a document the office sends to itself).
 */
t.test('the embedded axis relays, survives a restart with the same secret, and health reports it', async (t) => {
  const dir = t.testdir();
  const dev = await makeDevToken(path.join(dir, 'token'));
  const config = embeddedOfficeConfig(dev, path.join(dir, 'state'), {
    organ: { id: OFFICE_A.id, name: OFFICE_A.name, abbreviation: 'UBND' },
    signing: { ...DEFAULTS.signing, requirePriorSignature: false },
  });
  const token = await openDevToken(dev);
  const bus = new EventBus();
  let core = await createCore({ config, logger: testLogger(), bus, token });
  try {
    t.ok(core.embeddedAxis?.sim.url.startsWith('http://127.0.0.1:'), 'simulator on loopback');
    const v = await core.documents.submit({ metadata: metadataFor([OFFICE_A.id]), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
    await until(async () => (await core.documents.get(v.id)).state === 'sent', 20_000, 'sent');
    const h = await core.health();
    t.equal(h.axis.state, 'ok');
    t.equal(h.hsm.state, 'ready');
    t.ok(h.store.freeBytes > 0);
    await core.stop();
    core = await createCore({ config, logger: testLogger(), bus, token });
    // The start-up round may already be running; poll until the package is in.
    await until(async () => (await core.inbox.poll(), core.store.activeCount('incoming') === 1), 20_000, 'received');
    t.pass('after a restart (same generated secret) the package is received');
    const inc = (await core.documents.list({ direction: 'incoming' })).items[0];
    t.equal(inc?.documentId, v.documentId);
    t.equal(inc?.state, 'arrived');
  } finally {
    await core.stop();
    await token.close();
  }
});
