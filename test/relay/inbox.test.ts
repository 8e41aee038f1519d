import t from 'tap';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { buildEdoc, type EdocHeader } from '../../src/edxml/index.js';
import { signPdf } from '../../src/signing/pdf/index.js';
import type { AxisPort } from '../../src/relay/axis-port.js';
import type { IncomingRecord } from '../../src/documents/records.js';
import { CLERK, OFFICE_A, OFFICE_B, SAMPLE_PDF, makeOffices, metadataFor, until, upload } from '../support/office.js';

/**
 * The inbox against hostile and broken traffic, injected into the simulator for office B: each
 * package gets the right acknowledgement (`fail` for what cannot be read, `done` + a 02 refusal
 * for what can be read but is not acceptable) and the gateway keeps working afterwards.
 */
const NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

function header(to: string, n: number): EdocHeader {
  return {
    from: { organId: OFFICE_A.id, organName: OFFICE_A.name },
    to: [{ organId: to }],
    documentId: `${OFFICE_A.id},2026/11/26,${String(n).padStart(2, '0')}/UBND-VP`,
    code: { codeNumber: String(n).padStart(2, '0'), codeNotation: 'UBND-VP' },
    promulgation: { place: 'Tiên Lương', date: '2026-11-26' },
    documentType: { type: 20, typeName: 'Công văn' },
    subject: `Gói thử ${n}`,
    signer: { fullName: 'Nguyễn Văn A' },
    otherInfo: { priority: 0 },
  };
}

async function edocBytes(to: string, n: number, files: string[]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await buildEdoc({ packageId: `pkg-${n}`, header: header(to, n), attachments: files.map((p) => ({ name: path.basename(p), contentType: 'application/pdf', source: { path: p } })) }, out);
  out.end();
  return Buffer.concat(chunks);
}

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<edXML xmlns="${NS}"><edXMLEnvelope>&lol3;</edXMLEnvelope></edXML>`;
const XXE = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><edXML xmlns="${NS}"><edXMLEnvelope>&xxe;</edXMLEnvelope></edXML>`;
const MALFORMED = `<?xml version="1.0"?><edXML xmlns="${NS}"><edXMLEnvelope><edXMLHeader><MessageHeader>`;

t.test('hostile and unacceptable packages get the right acknowledgement; the gateway keeps running', async (t) => {
  const dir = t.testdir();
  const env = await makeOffices(dir, [OFFICE_A, OFFICE_B], {
    config: (c) => ({ ...c, limits: { ...c.limits, maxUploadBytes: 1024 * 1024 } }),
  });
  t.teardown(() => env.close());
  const [a, b] = env.offices as [(typeof env.offices)[0], (typeof env.offices)[0]];
  await b.core.inbox.poll(); // the start-up round, so the counts below are ours

  // A PDF signed by A, then one byte changed inside the signed range: a forged signature.
  const signed = path.join(dir, 'signed.pdf');
  await signPdf({ input: SAMPLE_PDF, output: signed, token: a.token });
  const forged = path.join(dir, 'forged.pdf');
  const bytes = await readFile(signed);
  bytes[200] = bytes[200] === 0x41 ? 0x42 : 0x41;
  await writeFile(forged, bytes);
  const big = path.join(dir, 'big.pdf');
  await writeFile(big, Buffer.concat([await readFile(SAMPLE_PDF), randomBytes(2 * 1024 * 1024)]));

  const inject = (body: string | Buffer) => env.sim.inject(OFFICE_B.id, OFFICE_A.id, typeof body === 'string' ? Buffer.from(body) : body);
  const unreadable = {
    malformed: await inject(MALFORMED),
    dtd: await inject(XXE),
    laughs: await inject(BILLION_LAUGHS),
    oversized: await inject(await edocBytes(OFFICE_B.id, 90, [big])),
  };
  const refused = {
    forged: await inject(await edocBytes(OFFICE_B.id, 91, [forged])),
    unsigned: await inject(await edocBytes(OFFICE_B.id, 92, [SAMPLE_PDF])),
    misaddressed: await inject(await edocBytes('000.00.00.G22', 93, [signed])),
  };

  const round = await b.core.inbox.poll();
  t.equal(round.failed, 4, 'four unreadable packages');
  t.equal(round.processed, 3, 'three readable ones');

  const sent = await env.axisAs(OFFICE_A.id).getSentEdocList('edoc');
  const stateOf = (docId: string) => sent.find((s) => s.docId === docId)?.recipients?.[OFFICE_B.id];
  for (const [what, docId] of Object.entries(unreadable)) t.equal(stateOf(docId), 'fail', `${what}: acknowledged fail`);
  for (const [what, docId] of Object.entries(refused)) t.equal(stateOf(docId), 'done', `${what}: acknowledged done`);

  const records = b.core.store.collection<IncomingRecord>('incoming').listActive();
  t.equal(records.length, 3, 'only the readable packages became records');
  const reasonOf = (n: number) => records.find((r) => r.number === String(n))?.reason ?? '';
  t.match(reasonOf(91), /invalid signature/, 'forged → refused: invalid signature');
  t.match(reasonOf(92), /unsigned/, 'unsigned → refused');
  t.match(reasonOf(93), /mis-addressed/, 'mis-addressed → refused');
  t.ok(records.every((r) => r.state === 'refused'));

  // The 02 refusals travel back to A.
  await until(() => b.core.store.activeCount('outbox') === 0, 20_000, 'B: 02s sent');
  const statuses = await env.axisAs(OFFICE_A.id).getReceivedEdocList('status');
  t.equal(statuses.length, 3, 'A has three 02 status packages waiting');

  // A's own package with its envelope altered in transit (the subject changed after signing).
  const real = await a.core.documents.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
  const original = (await readFile(a.core.store.blobs.path((a.core.store.activeGet('outgoing', real.id) as { edxml: { sha256: string } }).edxml.sha256))).toString('utf8');
  t.match(original, /<ds:Signature/, 'A signs the envelope');
  const tampered = original.replace(/(<edXML:Subject>)([^<]*)/, '$1Đã bị sửa');
  await until(async () => (await a.core.documents.get(real.id)).state === 'sent', 20_000, 'A: sent');
  await b.core.inbox.poll(); // the genuine one
  await inject(Buffer.from(tampered, 'utf8'));
  await b.core.inbox.poll();
  const tamperedRec = b.core.store.collection<IncomingRecord>('incoming').listActive((r) => r.subject === 'Đã bị sửa')[0];
  t.equal(tamperedRec?.state, 'refused', 'an altered envelope is refused');
  t.match(tamperedRec?.reason ?? '', /envelope signature/);
  const genuine = b.core.store.collection<IncomingRecord>('incoming').listActive((r) => r.documentId === real.documentId && r.subject !== 'Đã bị sửa')[0];
  t.equal(genuine?.state, 'arrived', 'the genuine signed envelope verifies');

  // And the gateway still works: a real document from A arrives.
  const doc = await a.core.documents.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
  await until(async () => (await a.core.documents.get(doc.id)).state === 'sent', 20_000, 'A: sent');
  const after = await b.core.inbox.poll();
  t.equal(after.processed, 1);
  const ok = b.core.store.collection<IncomingRecord>('incoming').listActive((r) => r.documentId === doc.documentId);
  t.equal(ok[0]?.state, 'arrived', 'a good document is accepted after all that');
});

t.test('the same package delivered twice is processed once', async (t) => {
  const dir = t.testdir();
  let failAcks = 0;
  const env = await makeOffices(dir, [OFFICE_A, OFFICE_B], {
    // B's first acknowledgements are lost on the way: the axis lists the package again.
    wrapAxis: (port: AxisPort, spec) =>
      spec.id !== OFFICE_B.id
        ? port
        : Object.assign(Object.create(port) as AxisPort, {
            updateStatus: async (docId: string, status: 'processing' | 'done' | 'fail') => {
              if (failAcks > 0) {
                failAcks--;
                throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
              }
              return port.updateStatus(docId, status);
            },
          }),
  });
  t.teardown(() => env.close());
  const [a, b] = env.offices as [(typeof env.offices)[0], (typeof env.offices)[0]];
  await b.core.inbox.poll();

  const doc = await a.core.documents.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
  await until(async () => (await a.core.documents.get(doc.id)).state === 'sent', 20_000, 'A: sent');
  failAcks = 1;
  const first = await b.core.inbox.poll();
  t.equal(first.processed, 1);
  const second = await b.core.inbox.poll();
  t.equal(second.processed, 0, 'listed again, not processed again');
  t.equal(second.duplicates, 1);
  t.equal((await b.core.inbox.poll()).duplicates, 0, 'acknowledged at last: no longer listed');

  // The same bytes again under a new axis DocId (relayed a second time through a hub; the
  // simulator itself drops resends from the same sender) are recognised by content.
  const pkg = await readFile(b.core.store.blobs.path(b.core.store.collection<IncomingRecord>('incoming').listActive()[0]!.edxml.sha256));
  await env.sim.inject(OFFICE_B.id, '02.29.W00', pkg);
  const third = await b.core.inbox.poll();
  t.equal(third.duplicates, 1);
  t.equal(b.core.store.activeCount('incoming'), 1, 'one incoming record');
  await until(() => b.core.store.activeCount('outbox') === 0, 20_000, 'B: 01 sent');
  t.equal((await env.axisAs(OFFICE_A.id).getReceivedEdocList('status')).length, 1, 'one 01 went back');
});
