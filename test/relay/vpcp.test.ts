import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import http from 'node:http';
import { Readable } from 'node:stream';
import { buildEdocFile } from '../../src/edxml/build-edoc.js';
import { parseEdxmlFile } from '../../src/edxml/parse.js';
import { axisErr, startTestAxis, A, B, C, AGENCIES } from '../support/axis-sim.js';
import { signHeaders, baseFields } from '../../src/relay/vpcp/signing.js';
import { isLocalIoTransient } from '../../src/relay/vpcp/adapter.js';

async function samplePackage(dir: string, name = 'pkg.edxml', attachment = randomBytes(200_000)): Promise<{ path: string; sha256: string }> {
  const path = join(dir, name);
  const r = await buildEdocFile(
    {
      packageId: `pkg-${name}`,
      header: {
        from: { organId: A, organName: 'UBND xã Tiên Lương' },
        to: [{ organId: B }],
        documentId: `${A},2026/11/27,12/UBND-VP`,
        code: { codeNumber: '12', codeNotation: 'UBND-VP' },
        promulgation: { place: 'Tiên Lương', date: '2026-11-27' },
        documentType: { type: 1, typeName: 'Công văn' },
        subject: 'V/v thử nghiệm liên thông',
        signer: { competence: 'TM.', position: 'Chủ tịch', fullName: 'Nguyễn Văn A' },
        otherInfo: { priority: 0 },
        business: { businessDocType: 0, paper: 0 },
      },
      attachments: [{ name: 'vb.pdf', contentType: 'application/pdf', source: { stream: Readable.from([attachment]) } }],
    },
    path,
  );
  return { path, sha256: r.sha256 };
}

t.test('A sends to B; B lists, gets it byte-identical, acknowledges; then it is gone', async (t) => {
  const dir = t.testdir();
  const axis = await startTestAxis(t);
  const a = axis.client(A);
  const b = axis.client(B);
  const pkg = await samplePackage(dir);

  const { docId } = await a.sendEdoc({ path: pkg.path }, { messageType: 'edoc', from: A, to: [B] });
  t.match(docId, /^[0-9a-f-]{36}$/);

  const list = await b.getReceivedEdocList('edoc');
  t.equal(list.length, 1);
  t.match(list[0], { docId, messageType: 'edoc', from: A, to: [B] });
  t.same(await b.getReceivedEdocList('status'), [], 'filtered by message type');
  t.same(await axis.client(C).getReceivedEdocList('edoc'), [], 'C is not a recipient');

  const out = join(dir, 'got.edxml');
  const got = await b.getEdoc(docId, createWriteStream(out));
  const original = await readFile(pkg.path);
  t.ok((await readFile(out)).equals(original), 'byte-identical');
  t.equal(got.sha256, pkg.sha256);
  t.equal(got.bytes, original.length);
  const parsed = await parseEdxmlFile(out);
  t.equal(parsed.kind === 'edoc' && parsed.header.subject, 'V/v thử nghiệm liên thông', 'still a valid package');

  const cErr = await axisErr(axis.client(C).getEdoc(docId, createWriteStream(join(dir, 'c.edxml'))));
  t.match(cErr, { transient: false, axisCode: 'NOT_FOUND' }, 'only a recipient or the sender may fetch');

  await b.updateStatus(docId, 'processing');
  t.equal((await b.getReceivedEdocList('edoc')).length, 1, 'processing keeps it listed');
  await b.updateStatus(docId, 'done');
  t.same(await b.getReceivedEdocList('edoc'), [], 'done → no longer listed');

  const sent = await a.getSentEdocList('edoc');
  t.equal(sent.length, 1);
  t.same(sent[0]?.recipients, { [B]: 'done' });
  t.same((await a.getAgenciesList()).map((x) => x.id), AGENCIES.map((x) => x.id));
  t.notOk(JSON.stringify(await a.getAgenciesList()).includes(AGENCIES[0]!.secret), 'secrets never listed');
  t.match(axis.sim.stats(), { received: 1, delivered: 1, acknowledged: 1, duplicates: 0 });
  t.match(axis.sim.stats().perAgency[B], { received: 1, delivered: 1, acknowledged: 1 });
});

t.test('a package given as bytes, to two recipients, each acknowledges separately', async (t) => {
  const axis = await startTestAxis(t);
  const bytes = Buffer.from('<edXML/>');
  const { docId } = await axis.client(A).sendEdoc({ bytes }, { messageType: 'status', from: A, to: [B, C] });
  await axis.client(B).updateStatus(docId, 'done');
  t.same(await axis.client(B).getReceivedEdocList('status'), []);
  t.equal((await axis.client(C).getReceivedEdocList('status')).length, 1, 'still pending for C');
});

t.test('wrong secret → refused, permanent', async (t) => {
  const axis = await startTestAxis(t);
  const e = await axisErr(axis.client(A, { secret: 'not-the-secret' }).getReceivedEdocList('edoc'));
  t.match(e, { transient: false, code: 'REFUSED', axisCode: 'AUTH_BAD_SIGNATURE' });
  const u = await axisErr(axis.client('000.00.00.X99', { secret: 'x' }).getAgenciesList());
  t.match(u, { transient: false, axisCode: 'AUTH_UNKNOWN_SYSTEM' });
  t.notOk(e.message.includes('not-the-secret'), 'the secret is not in the error');
  // Refused before the (large) body is read: the answer still reaches the client intact.
  const send = await axisErr(axis.client(A, { secret: 'not-the-secret' }).sendEdoc({ bytes: randomBytes(4 * 1024 * 1024) }, { messageType: 'edoc', from: A, to: [B] }));
  t.match(send, { transient: false, axisCode: 'AUTH_BAD_SIGNATURE' });
  t.equal(axis.sim.stats().received, 0);
});

t.test('stale timestamp → refused', async (t) => {
  const axis = await startTestAxis(t);
  const old = axis.client(A, { now: () => new Date(Date.now() - 10 * 60_000) });
  t.match(await axisErr(old.getReceivedEdocList('edoc')), { transient: false, axisCode: 'AUTH_STALE_TIMESTAMP' });
  const future = axis.client(A, { now: () => new Date(Date.now() + 10 * 60_000) });
  t.match(await axisErr(future.getReceivedEdocList('edoc')), { axisCode: 'AUTH_STALE_TIMESTAMP' });
});

t.test('tampered hash-file → refused, nothing queued', async (t) => {
  const dir = t.testdir();
  const axis = await startTestAxis(t);
  const pkg = await samplePackage(dir);
  const wrong = createHash('sha256').update('something else').digest('hex');
  const e = await axisErr(axis.client(A).sendEdoc({ path: pkg.path, sha256: wrong }, { messageType: 'edoc', from: A, to: [B] }));
  t.match(e, { transient: false, axisCode: 'HASH_MISMATCH' });
  t.same(await axis.client(B).getReceivedEdocList('edoc'), []);
  t.equal(axis.sim.stats().received, 0);
});

t.test('a field header changed after signing (tampered `to`) → refused', async (t) => {
  const axis = await startTestAxis(t);
  const headers = signHeaders({ ...baseFields(A, new Date()), messagetype: 'edoc' }, AGENCIES[0]!.secret);
  headers['XroadVnpt-messagetype'] = 'status';
  const body = await new Promise<string>((resolve, reject) => {
    const req = http.request(`${axis.sim.url}/getReceivedEdocList`, { method: 'POST', headers }, (res) => {
      let s = '';
      res.on('data', (c: Buffer) => (s += c));
      res.on('end', () => resolve(s));
    });
    req.on('error', reject);
    req.end();
  });
  t.match(JSON.parse(body), { status: 'FAIL', ErrorCode: 'AUTH_HEADER_MISMATCH' });
});

t.test('unknown recipient and sending on behalf of another agency → permanent', async (t) => {
  const axis = await startTestAxis(t);
  const bytes = Buffer.from('<x/>');
  t.match(await axisErr(axis.client(A).sendEdoc({ bytes }, { messageType: 'edoc', from: A, to: ['000.00.00.Z99'] })), { transient: false, axisCode: 'UNKNOWN_AGENCY' });
  t.match(await axisErr(axis.client(A).sendEdoc({ bytes }, { messageType: 'edoc', from: B, to: [C] })), { transient: false, axisCode: 'BAD_REQUEST' });
});

t.test('duplicate send → same DocId, one delivery, counted', async (t) => {
  const dir = t.testdir();
  const axis = await startTestAxis(t);
  const pkg = await samplePackage(dir);
  const a = axis.client(A);
  const first = await a.sendEdoc({ path: pkg.path }, { messageType: 'edoc', from: A, to: [B] });
  const again = await a.sendEdoc({ path: pkg.path, sha256: pkg.sha256 }, { messageType: 'edoc', from: A, to: [B] });
  t.equal(again.docId, first.docId);
  t.equal((await axis.client(B).getReceivedEdocList('edoc')).length, 1, 'one delivery');
  t.match(axis.sim.stats(), { received: 1, duplicates: 1 });
  // A different package is not a duplicate.
  const other = await samplePackage(dir, 'other.edxml');
  t.not((await a.sendEdoc({ path: other.path }, { messageType: 'edoc', from: A, to: [B] })).docId, first.docId);
});

t.test('a missing package file is a local, permanent error', async (t) => {
  const axis = await startTestAxis(t);
  t.match(await axisErr(axis.client(A).sendEdoc({ path: join(t.testdir(), 'nope') }, { messageType: 'edoc', from: A, to: [B] })), { code: 'LOCAL_IO', transient: false });
});

t.test('a package that cannot be read for now is a local, transient error: the document stays queued', async (t) => {
  const axis = await startTestAxis(t);
  // /proc/self/mem stats fine but reading it at offset 0 fails with EIO: a real read error.
  t.match(await axisErr(axis.client(A).sendEdoc({ path: '/proc/self/mem' }, { messageType: 'edoc', from: A, to: [B] })), { code: 'LOCAL_IO', transient: true, message: /EIO/ });
  for (const errno of ['EMFILE', 'ENFILE', 'ENOMEM', 'EIO', 'EACCES', undefined]) t.equal(isLocalIoTransient(errno), true, `${errno} is transient`);
  for (const errno of ['ENOENT', 'ENOTDIR', 'EISDIR']) t.equal(isLocalIoTransient(errno), false, `${errno} is permanent`);
  t.match(axis.sim.stats(), { received: 0 }, 'nothing reached the axis');
});

t.test('getEdoc of a 20 MB package streams (base64 JSON decoded on the fly)', async (t) => {
  const dir = t.testdir();
  const axis = await startTestAxis(t);
  const big = randomBytes(20 * 1024 * 1024);
  const pkg = await samplePackage(dir, 'big.edxml', big);
  const { docId } = await axis.client(A).sendEdoc({ path: pkg.path, sha256: pkg.sha256 }, { messageType: 'edoc', from: A, to: [B] });
  const out = join(dir, 'big-got.edxml');
  const got = await axis.client(B).getEdoc(docId, createWriteStream(out));
  t.equal(got.sha256, pkg.sha256, 'same bytes');
  const parsed = await parseEdxmlFile(out);
  t.equal(parsed.kind === 'edoc' && parsed.attachments[0]?.sha256, createHash('sha256').update(big).digest('hex'));
  await writeFile(out, '');
});
