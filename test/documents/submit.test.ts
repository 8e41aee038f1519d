import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Documents } from '../../src/documents/service.js';
import type { DocumentView } from '../../src/documents/types.js';
import { AppError } from '../../src/errors.js';
import { parseEdxml } from '../../src/edxml/index.js';
import { signPdf } from '../../src/signing/pdf/index.js';
import { loadTrustStore } from '../../src/signing/certificates.js';
import type { SigningToken } from '../../src/hsm/port.js';
import { CLERK, OFFICE_A, OFFICE_B, SAMPLE_PDF, makeOffices, metadataFor, testLogger, until, upload } from '../support/office.js';

/**
 * Submitting outgoing documents through the real core (SoftHSM token, store, simulator): every
 * refusal of the contract, with nothing stored when refused, idempotency, and the package built.
 */
const dir = t.testdir();
const env = await makeOffices(dir, [OFFICE_A, OFFICE_B], { tuning: { outboxBackoff: { baseMs: 100, factor: 2, maxMs: 400, jitter: 0 } } });
t.teardown(() => env.close());
const [a, b] = env.offices as [(typeof env.offices)[0], (typeof env.offices)[0]];
const docs = a.core.documents;
await until(() => a.core.store.activeCount('organs') === 2, 20_000, 'directory synced');

async function blobCount(): Promise<number> {
  let n = 0;
  for await (const _ of a.core.store.blobs.list()) n++;
  return n;
}

t.test('a secret document is refused and nothing is stored, not even the upload', async (t) => {
  const before = { blobs: await blobCount(), audit: a.core.store.auditHead.seq, records: a.core.store.activeCount('outgoing') };
  const file = await upload(dir, SAMPLE_PDF);
  const att = await upload(dir, SAMPLE_PDF, 'phu-luc.pdf');
  await t.rejects(docs.submit({ metadata: metadataFor([OFFICE_B.id], { secrecy: 'Mật' }), file, attachments: [att], actor: CLERK }), { code: 'SECRET_DOCUMENT' });
  t.equal(await blobCount(), before.blobs, 'no blob');
  t.equal(a.core.store.activeCount('outgoing'), before.records, 'no record');
  t.equal(a.core.store.auditHead.seq, before.audit, 'no audit entry');
  t.notOk(existsSync(file.path), 'the uploaded file is deleted');
  t.notOk(existsSync(att.path), 'the uploaded attachment is deleted');
});

t.test('invalid metadata: every problem at once', async (t) => {
  const err = (await docs
    .submit({ metadata: metadataFor([OFFICE_B.id], { type: 'XX', subject: '', promulgationDate: '2026-02-30' }), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK })
    .catch((e: unknown) => e)) as AppError;
  t.equal(err.code, 'VALIDATION_FAILED');
  const fields = (err.details as { field: string }[]).map((d) => d.field).sort();
  t.same(fields, ['promulgationDate', 'subject', 'type']);
});

t.test('recipients: invalid ids and ids missing from the synced directory', async (t) => {
  await t.rejects(docs.submit({ metadata: metadataFor(['not an id']), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK }), { code: 'UNKNOWN_RECIPIENT' });
  await t.rejects(docs.submit({ metadata: metadataFor(['000.00.00.G22']), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK }), { code: 'UNKNOWN_RECIPIENT' });
});

t.test('file checks: not a PDF, an encrypted PDF, a broken PDF, too many attachments', async (t) => {
  const text = path.join(dir, 'note.txt');
  await writeFile(text, 'not a pdf');
  await t.rejects(docs.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, text, 'note.txt', 'text/plain'), attachments: [], actor: CLERK }), { code: 'UNSUPPORTED_MEDIA_TYPE' });
  const enc = path.join(dir, 'enc.pdf');
  execFileSync('qpdf', ['--encrypt', 'u', 'o', '256', '--', SAMPLE_PDF, enc]);
  await t.rejects(docs.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, enc), attachments: [], actor: CLERK }), { code: 'MALFORMED_PDF' });
  const broken = path.join(dir, 'broken.pdf');
  await writeFile(broken, '%PDF-1.4\n1 0 obj << >> endobj\ntrailer <<>>\n%%EOF\n');
  await t.rejects(docs.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, broken), attachments: [], actor: CLERK }), { code: 'MALFORMED_PDF' });
  const many = await Promise.all(Array.from({ length: a.config.limits.maxAttachments + 1 }, (_, i) => upload(dir, text, `a${i}.txt`, 'text/plain')));
  await t.rejects(docs.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, SAMPLE_PDF), attachments: many, actor: CLERK }), { code: 'VALIDATION_FAILED' });
});

t.test('prior-signature policy: the competent person must have signed first', async (t) => {
  const strict = new Documents({ config: { ...a.config, signing: { ...a.config.signing, requirePriorSignature: true } }, store: a.core.store, token: a.token, trust: await trust(), bus: a.bus, logger: testLogger() });
  await t.rejects(strict.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK }), { code: 'PRIOR_SIGNATURE_REQUIRED' }, 'unsigned');
  const ownOnly = path.join(dir, 'own.pdf');
  await signPdf({ input: SAMPLE_PDF, output: ownOnly, token: a.token });
  await t.rejects(strict.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, ownOnly), attachments: [], actor: CLERK }), { code: 'PRIOR_SIGNATURE_REQUIRED' }, 'only the organisation’s own signature');
  // A "competent person" with a certificate from a trusted CA (office B's dev token plays them).
  const personal = path.join(dir, 'personal.pdf');
  await signPdf({ input: SAMPLE_PDF, output: personal, token: b.token });
  const v = await strict.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, personal), attachments: [], actor: CLERK });
  t.equal(v.signatures.length, 2, 'both signatures are on the signed file');
  t.ok(v.signatures.every((s) => s.integrity === 'valid'), 'the first signature stays valid after ours');
});

t.test('the token is down: HSM_UNAVAILABLE and nothing stored', async (t) => {
  const down: SigningToken = Object.assign(Object.create(a.token) as SigningToken, {
    state: () => 'down' as const,
    signDigest: () => Promise.reject(new AppError('HSM_UNAVAILABLE', 'token removed')),
  });
  const svc = new Documents({ config: a.config, store: a.core.store, token: down, trust: await trust(), bus: a.bus, logger: testLogger() });
  const before = a.core.store.activeCount('outgoing');
  await t.rejects(svc.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK }), { code: 'HSM_UNAVAILABLE' });
  t.equal(a.core.store.activeCount('outgoing'), before);
});

t.test('accepted: signed, package built with Paper from relay.paperlessTypes, one durable record', async (t) => {
  const att = path.join(dir, 'phu-luc.txt');
  await writeFile(att, 'Phụ lục kèm theo');
  const auditBefore = a.core.store.auditHead.seq;
  const v = await docs.submit({ metadata: metadataFor([OFFICE_B.id], { type: 'BB', notation: 'BB-UBND', subject: 'Biên bản họp' }), file: await upload(dir, SAMPLE_PDF), attachments: [await upload(dir, att, 'phu-luc.txt', 'text/plain')], actor: CLERK });
  t.equal(v.state, 'queued');
  t.match(v.documentId, /^000\.00\.24\.H44,2026\/11\/26,\d+\/BB-UBND$/);
  t.equal(v.attachments.length, 1);
  t.ok(a.core.store.auditHead.seq >= auditBefore + 2, 'signed and queued are audited');
  const pkg = await parseEdxml((await docs.openEdxml(v.id)).stream as AsyncIterable<Uint8Array>);
  t.equal(pkg.kind, 'edoc');
  if (pkg.kind === 'edoc') {
    t.equal(pkg.header.documentId, v.documentId);
    t.equal(pkg.header.business?.paper, 1, 'Biên bản is not paperless by default: a paper copy follows');
    t.equal(pkg.attachments.length, 2, 'signed main file + attachment');
    t.equal(pkg.attachments[0]?.sha256, v.file?.sha256, 'the package carries the signed file');
  }
  const cv = await docs.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
  const cvPkg = await parseEdxml((await docs.openEdxml(cv.id)).stream as AsyncIterable<Uint8Array>);
  t.equal(cvPkg.kind === 'edoc' ? cvPkg.header.business?.paper : -1, 0, 'Công văn is paperless');
  t.ok(a.events.some((e) => e.name === 'document.signed') && a.events.some((e) => e.name === 'outgoing.queued'), 'events published');
});

t.test('duplicates and the Idempotency-Key', async (t) => {
  const metadata = metadataFor([OFFICE_B.id]);
  const first = await docs.submit({ metadata, file: await upload(dir, SAMPLE_PDF), attachments: [], idempotencyKey: 'k-1', actor: CLERK });
  const again = await docs.submit({ metadata, file: await upload(dir, SAMPLE_PDF), attachments: [], idempotencyKey: 'k-1', actor: CLERK });
  t.equal(again.id, first.id, 'same key, same body: the first result');
  await t.rejects(docs.submit({ metadata: { ...metadata, subject: 'Khác' }, file: await upload(dir, SAMPLE_PDF), attachments: [], idempotencyKey: 'k-1', actor: CLERK }), { code: 'CONFLICT' }, 'same key, different body');
  await t.rejects(docs.submit({ metadata, file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK }), { code: 'CONFLICT' }, 'same DocumentId without the key');
  // Concurrent duplicates: exactly one wins.
  const m2 = metadataFor([OFFICE_B.id]);
  const results = await Promise.allSettled([1, 2, 3].map(async () => docs.submit({ metadata: m2, file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK })));
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'one of three concurrent submissions is accepted');
});

t.test('list, search, pagination, get, report and queue', async (t) => {
  const marker = `Tra cứu ${Date.now()}`;
  const made: DocumentView[] = [];
  for (let i = 0; i < 3; i++) made.push(await docs.submit({ metadata: metadataFor([OFFICE_B.id], { subject: `${marker} số ${i}` }), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK }));
  const folded = marker.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace('đ', 'd');
  const page1 = await docs.list({ q: folded, limit: 2 });
  t.equal(page1.items.length, 2, 'search ignores case and diacritics');
  t.ok(page1.nextCursor);
  const page2 = await docs.list({ q: folded, limit: 2, cursor: page1.nextCursor! });
  t.equal(page2.items.length, 1);
  t.equal(page2.nextCursor, null);
  t.same([...page1.items, ...page2.items].map((d) => d.id), made.map((d) => d.id).reverse(), 'newest first, no overlap');
  t.equal((await docs.list({ direction: 'incoming', q: folded })).items.length, 0);
  await t.rejects(docs.get('out-nope'), { code: 'NOT_FOUND' });
  await until(async () => (await docs.get(made[2]!.id)).state === 'sent', 20_000, 'sent');
  const got = await docs.get(made[2]!.id);
  t.equal(got.recipients[0]?.organId, OFFICE_B.id);
  t.ok(got.history.some((h) => h.event === 'sent'));
  const today = new Date().toISOString().slice(0, 10);
  const report = await docs.report({ from: today, to: today });
  t.ok(report.byDirection.outgoing >= 3);
  t.ok((report.byType['CV'] ?? 0) >= 3);
  const q = await docs.queue();
  t.equal(q.failed, 0);
  t.type(q.outgoing, 'number');
});

t.test('sign and verify files', async (t) => {
  const signed = await docs.sign({ file: await upload(dir, SAMPLE_PDF), format: 'auto', actor: CLERK });
  t.equal(signed.contentType, 'application/pdf');
  const result = await docs.verify({ path: signed.path!, filename: 'x.pdf', contentType: 'application/pdf', size: 0 });
  t.ok(result.valid);
  const text = path.join(dir, 'plain.txt');
  await writeFile(text, 'Nội dung');
  const p7s = await docs.sign({ file: await upload(dir, text, 'plain.txt', 'text/plain'), format: 'auto', actor: CLERK });
  t.equal(p7s.contentType, 'application/pkcs7-signature');
  const ok = await docs.verify(await upload(dir, text, 'plain.txt', 'text/plain'), { path: p7s.path!, filename: 'plain.txt.p7s', contentType: 'application/pkcs7-signature', size: 0 });
  t.ok(ok.valid);
  await writeFile(text, 'Nội dung khác');
  const bad = await docs.verify(await upload(dir, text, 'plain.txt', 'text/plain'), { path: p7s.path!, filename: 'plain.txt.p7s', contentType: 'application/pkcs7-signature', size: 0 });
  t.notOk(bad.valid, 'a changed file fails');
});

function trust() {
  return loadTrustStore(env.trustDir);
}


