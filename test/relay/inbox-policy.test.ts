import t from 'tap';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { buildEdoc, parseEdxmlFile, type AttachmentInput } from '../../src/edxml/index.js';
import { signPdf } from '../../src/signing/pdf/index.js';
import type { Writable } from 'node:stream';
import { AxisError, type AxisPort } from '../../src/relay/axis-port.js';
import type { IncomingRecord } from '../../src/documents/records.js';
import { CLERK, SAMPLE_PDF, makeOffices, metadataFor, until, upload, type Office, type OfficeSpec, type Offices } from '../support/office.js';

/**
 * What a commune gateway's inbox accepts, with packages fetched from the simulator over HTTP on
 * 127.0.0.1 from a province office.
 *
 * A PDF is verified whatever the sender calls it: a signed PDF labelled
 * `application/octet-stream` without a `.pdf` name counts as the signed document, and a forged
 * one labelled so is refused like any forged PDF.
 *
 * A package the axis lists but can never hand over intact (its `getEdoc` answer is corrupt every
 * time: a permanent BAD_RESPONSE) must not block the inbox: the list is oldest first, so it would
 * end every round before anything behind it is read. It is acknowledged `fail` and announced like
 * any unreadable package; a transient failure still ends the round without acknowledging.
 *
 * The shared real-shaped fixture (fixtures/edxml/incoming-edoc.edxml: a province office writing
 * to a commune under its new and its legacy code, Type 71 "Công văn", an UNSIGNED PDF) through a
 * commune gateway's inbox, fetched from the simulator over HTTP on 127.0.0.1. With the default
 * policy it is refused with a 02 and a reason; with `policy.acceptUnsigned` it arrives and the
 * 01 goes back automatically. Either way the answer reaches the province as a status package.
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/edxml/incoming-edoc.edxml', import.meta.url));
const PROVINCE: OfficeSpec = { id: '000.00.00.H99', name: 'Văn phòng UBND tỉnh Thử Nghiệm' };
const COMMUNE: OfficeSpec = { id: '000.46.24.H99', name: 'UBND xã Tiên Lương' };

/** The status packages waiting for the province about `documentId`, parsed (all are taken off the list). */
async function statusesAtProvince(env: Offices, dir: string, documentId: string): Promise<{ code: string; description?: string; documentId: string }[]> {
  const axis = env.axisAs(PROVINCE.id);
  const out = [];
  for (const e of await axis.getReceivedEdocList('status')) {
    const file = path.join(dir, `${e.docId}.edxml`);
    await axis.getEdoc(e.docId, createWriteStream(file));
    const p = await parseEdxmlFile(file);
    if (p.kind !== 'status') throw new Error('expected a status package');
    await axis.updateStatus(e.docId, 'done');
    if (p.header.responseFor.documentId !== documentId) continue;
    out.push({ code: p.header.statusCode, documentId: p.header.responseFor.documentId, ...(p.header.description ? { description: p.header.description } : {}) });
  }
  return out;
}

async function receive(env: Offices, commune: Office, bytes: Buffer): Promise<IncomingRecord> {
  await env.sim.inject(COMMUNE.id, PROVINCE.id, bytes);
  const round = await commune.core.inbox.poll();
  if (round.processed !== 1) throw new Error(`expected one package processed, got ${JSON.stringify(round)}`);
  await until(() => commune.core.store.activeCount('outbox') === 0, 20_000, 'the answer sent');
  const docs = commune.core.store.collection<IncomingRecord>('incoming').listActive();
  return docs.sort((x, y) => (x.createdAt < y.createdAt ? 1 : -1))[0]!;
}

const poison = new Set<string>();
let transientFor: string | null = null;
let dir: string;
let env: Offices;
let province: Office;
let commune: Office;
t.before(async () => {
  // Not t.testdir(): tap may remove that before this teardown has stopped the simulator.
  dir = await mkdtemp(path.join(tmpdir(), 'edoc-inbox-policy-'));
  env = await makeOffices(dir, [PROVINCE, COMMUNE], {
    // Around the commune's real VPCP adapter: getEdoc of chosen ids fails as a corrupt or a cut answer.
    wrapAxis: (port: AxisPort, spec) =>
      spec.id !== COMMUNE.id
        ? port
        : Object.assign(Object.create(port) as AxisPort, {
            getEdoc: async (docId: string, dest: Writable) => {
              if (docId === transientFor) {
                dest.destroy();
                throw new AxisError({ code: 'NETWORK', transient: true, operation: 'getEdoc', message: 'getEdoc: network error (ECONNRESET)' });
              }
              if (!poison.has(docId)) return port.getEdoc(docId, dest);
              dest.destroy();
              throw new AxisError({ code: 'BAD_RESPONSE', transient: false, operation: 'getEdoc', message: 'getEdoc: data is not base64' });
            },
          }),
  });
  [province, commune] = env.offices as [Office, Office];
  t.teardown(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });
  await commune.core.inbox.poll(); // the start-up round
});

let seq = 500;
/** A package from the province to the commune carrying `files`. */
async function edoc(files: AttachmentInput[]): Promise<Buffer> {
  const n = String(++seq);
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await buildEdoc(
    {
      packageId: `policy-${n}`,
      header: {
        from: { organId: PROVINCE.id, organName: PROVINCE.name },
        to: [{ organId: COMMUNE.id }],
        documentId: `${PROVINCE.id},2026/11/27,${n}/UBND-VP`,
        code: { codeNumber: n, codeNotation: 'UBND-VP' },
        promulgation: { place: 'Thử Nghiệm', date: '2026-11-27' },
        documentType: { type: 1, typeName: 'Công văn' },
        subject: `Văn bản thử ${n}`,
        signer: { fullName: 'Trần Thị B' },
        otherInfo: { priority: 0 },
      },
      attachments: files,
    },
    out,
  );
  out.end();
  return Buffer.concat(chunks);
}

t.test('a PDF is verified by its content, not by the label the sender gave it', async (t) => {
  const signed = path.join(dir, 'signed.pdf');
  await signPdf({ input: SAMPLE_PDF, output: signed, token: province.token });
  const forged = path.join(dir, 'forged.pdf');
  const bytes = await readFile(signed);
  bytes[200] = bytes[200] === 0x41 ? 0x42 : 0x41;
  await writeFile(forged, bytes);
  const opaque = 'application/octet-stream';

  const disguisedForgery = await receive(env, commune, await edoc([
    { name: 'van-ban.pdf', contentType: 'application/pdf', source: { path: signed } },
    { name: 'phu-luc', contentType: opaque, source: { path: forged } },
  ]));
  t.equal(disguisedForgery.state, 'refused', 'a forged PDF labelled as opaque bytes is still checked');
  t.match(disguisedForgery.reason ?? '', /phu-luc: invalid signature/);

  const disguisedGenuine = await receive(env, commune, await edoc([{ name: 'van-ban', contentType: opaque, source: { path: signed } }]));
  t.equal(disguisedGenuine.state, 'arrived', 'a signed PDF labelled as opaque bytes is the signed document');
  t.ok(disguisedGenuine.signatures.some((s) => s.integrity === 'valid' && s.certificateTrusted), 'its signature was verified');
});

t.test('the shared fixture: refused as unsigned by default, accepted with policy.acceptUnsigned', async (t) => {
  const fixture = await readFile(FIXTURE);

  const refused = await receive(env, commune, fixture);
  t.equal(refused.state, 'refused', 'acceptUnsigned false: refused');
  t.match(refused.reason ?? '', /unsigned/, 'the reason says why');
  t.equal(refused.type, 'CV', 'the type is matched on TypeName (Công văn), not on Type 71');
  t.same(refused.sentCodes, ['02']);
  const first = await statusesAtProvince(env, dir, refused.documentId);
  t.equal(first.length, 1, 'one answer reached the province');
  t.match(first[0], { code: '02', documentId: refused.documentId, description: /unsigned/ }, '02 with the reason');

  // The office changes its policy and restarts; the province sends another (unsigned) document.
  commune.config.policy = { ...commune.config.policy, acceptUnsigned: true };
  await commune.restart();
  const second = Buffer.from(fixture.toString('utf8').replaceAll('318/UBND-VP', '319/UBND-VP').replaceAll('>318<', '>319<'), 'utf8');
  const arrived = await receive(env, commune, second);
  t.equal(arrived.number, '319');
  t.equal(arrived.state, 'arrived', 'acceptUnsigned true: accepted');
  t.equal(arrived.reason, null);
  t.same(arrived.sentCodes, ['01']);
  const answers = await statusesAtProvince(env, dir, arrived.documentId);
  t.match(answers, [{ code: '01', documentId: arrived.documentId }], 'the automatic 01 reached the province');
});

t.test('a package that can never be fetched is acknowledged fail; the documents behind it arrive', async (t) => {
  const bad = await env.sim.inject(COMMUNE.id, PROVINCE.id, Buffer.from('<edXML/>'));
  poison.add(bad);
  const doc = await province.core.documents.submit({ metadata: metadataFor([COMMUNE.id]), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
  await until(async () => (await province.core.documents.get(doc.id)).state === 'sent', 20_000, 'province: sent');

  // A transient failure on the first package ends the round: nothing acknowledged, nothing lost.
  transientFor = bad;
  await t.rejects(commune.core.inbox.poll(), { code: 'NETWORK' }, 'a transient failure ends the round with its own error');
  t.notOk(commune.core.store.collection<IncomingRecord>('incoming').listActive().some((r) => r.documentId === doc.documentId));
  transientFor = null;

  const round = await commune.core.inbox.poll();
  t.same({ failed: round.failed, processed: round.processed }, { failed: 1, processed: 1 }, 'the poisoned package is refused, the real one behind it processed');
  const got = commune.core.store.collection<IncomingRecord>('incoming').listActive((r) => r.documentId === doc.documentId);
  t.same(got.map((r) => r.state), ['arrived'], 'the real document arrived');
  const sent = await env.axisAs(PROVINCE.id).getSentEdocList('edoc');
  t.equal(sent.find((s) => s.docId === bad)?.recipients?.[COMMUNE.id], 'fail', 'acknowledged fail at the axis');
  const announced = commune.events.filter((e) => e.name === 'incoming.unreadable').map((e) => e.payload as { axisDocId: string; code: string });
  t.match(announced.find((u) => u.axisDocId === bad), { code: 'UNFETCHABLE' }, 'announced as unreadable');
  const again = await commune.core.inbox.poll();
  t.same({ failed: again.failed, processed: again.processed, duplicates: again.duplicates }, { failed: 0, processed: 0, duplicates: 0 }, 'not fetched again');
});
