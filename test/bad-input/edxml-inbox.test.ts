import t from 'tap';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeOffices, metadataFor, OFFICE_A, OFFICE_B, SAMPLE_PDF, until, upload, type Office } from '../support/office.js';
import { snapshot } from '../support/fault-state.js';

/**
 * Bad edXML arriving the way it really arrives: queued at the axis simulator for office B (its
 * injection door: no checks at all) and fetched by B's inbox. The parser-level corpus
 * (test/fixtures/edxml-bad/: DTDs, entity expansion, wrong namespaces, bad base64, …) plus
 * generated ones (deep nesting, a package over the size limit). Each is refused with a typed
 * reason, acknowledged as failed at the axis (so it is not fetched again), creates no incoming
 * record, and the inbox keeps working: a real document sent afterwards arrives.
 */
const BAD_DIR = fileURLToPath(new URL('../fixtures/edxml-bad/', import.meta.url));
const NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

function generated(): Record<string, Buffer> {
  const head = `<?xml version="1.0" encoding="UTF-8"?><edXML xmlns="${NS}"><edXMLEnvelope><edXMLHeader><MessageHeader><DocumentId>X</DocumentId></MessageHeader></edXMLHeader></edXMLEnvelope>`;
  return {
    'deep-nesting (20 000 levels)': Buffer.from(`${head}${'<a>'.repeat(20_000)}${'</a>'.repeat(20_000)}</edXML>`),
    'huge base64 attachment (over the package limit)': Buffer.concat([
      Buffer.from(`${head}<edXMLBody><Attachment><AttachmentEncoded><ContentId>1</ContentId><AttachmentName>x.pdf</AttachmentName><ContentType>application/pdf</ContentType><Content>`),
      Buffer.alloc(3 * 1024 * 1024, 'QUJD'),
      Buffer.from('</Content></AttachmentEncoded></Attachment></edXMLBody></edXML>'),
    ]),
    'many attributes': Buffer.from(`<?xml version="1.0"?><edXML xmlns="${NS}" ${Array.from({ length: 20_000 }, (_, i) => `a${i}="x"`).join(' ')}></edXML>`),
    'NUL bytes': Buffer.from(`<?xml version="1.0"?>\u0000<edXML xmlns="${NS}">\u0000</edXML>`),
  };
}

let a: Office;
let b: Office;
t.before(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'edoc-bad-edxml-'));
  const offices = await makeOffices(dir, [OFFICE_A, OFFICE_B], {
    // A 1 MiB upload limit bounds B's incoming packages at about 2.4 MiB.
    config: (c) => ({ ...c, limits: { ...c.limits, maxUploadBytes: 1024 * 1024 } }),
  });
  // Not t.testdir(): tap removes that before this teardown has stopped the simulator writing to it.
  t.teardown(async () => {
    await offices.close();
    await rm(dir, { recursive: true, force: true });
  });
  [a, b] = offices.offices as [Office, Office];
  injectTo = (bytes) => offices.sim.inject(OFFICE_B.id, OFFICE_A.id, bytes);
});
let injectTo: (bytes: Uint8Array) => Promise<string>;

t.test('bad packages are refused, acknowledged, and leave no record', async (t) => {
  const cases: [string, Buffer][] = [];
  for (const f of (await readdir(BAD_DIR)).filter((x) => x.endsWith('.edxml')).sort()) cases.push([f, await readFile(path.join(BAD_DIR, f))]);
  cases.push(...Object.entries(generated()));
  const before = await snapshot(b.core.store);
  for (const [name, bytes] of cases) {
    await injectTo(bytes);
    const r = await b.core.inbox.poll();
    t.same({ processed: r.processed, failed: r.failed }, { processed: 0, failed: 1 }, `${name}: refused`);
  }
  const unreadable = b.events.filter((e) => e.name === 'incoming.unreadable').map((e) => e.payload as { from: string | null; code: string });
  t.equal(unreadable.length, cases.length, 'each refusal is announced on the event bus');
  t.ok(unreadable.every((u) => u.from === OFFICE_A.id && /^[A-Z][A-Z0-9_]+$/.test(u.code)), 'with the sender and the typed reason');
  const again = await b.core.inbox.poll();
  t.same({ processed: again.processed, failed: again.failed }, { processed: 0, failed: 0 }, 'refused packages are not fetched again');
  const after = await snapshot(b.core.store);
  t.equal(after.incoming, before.incoming, 'no incoming record created');
  t.same(after.tempFiles, [], 'no temp file left');

  // The inbox still works: a real document from A arrives.
  const file = await upload(a.dir, SAMPLE_PDF);
  const sent = await a.core.documents.submit({ metadata: metadataFor([OFFICE_B.id]), file, attachments: [], actor: a.clerk });
  const got = await until(async () => {
    await b.core.inbox.poll();
    const list = await b.core.documents.list({ direction: 'incoming' });
    return list.items.find((d) => d.documentId === sent.documentId);
  }, 60_000, 'the real document at B');
  t.equal(got.documentId, sent.documentId, 'a good package after the bad ones is received');
});
