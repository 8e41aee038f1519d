import t from 'tap';
import { execFileSync } from 'node:child_process';
import { watch } from 'node:fs';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { Documents } from '../../src/documents/service.js';
import type { DocumentView } from '../../src/documents/types.js';
import { AppError } from '../../src/errors.js';
import type { SigningToken } from '../../src/hsm/port.js';
import { loadTrustStore } from '../../src/signing/certificates.js';
import { signPdf } from '../../src/signing/pdf/index.js';
import { Store } from '../../src/store/store.js';
import { auditPath, type AuditEntry } from '../../src/store/audit.js';
import { OFFICE_A, OFFICE_B, SAMPLE_PDF, makeOffices, metadataFor, testLogger, until } from '../support/office.js';
import { form, makeHttp, type FormPart, type HttpEnv } from '../support/http.js';
import { pdfsigVerify, qpdfCheck } from '../support/pdf-fixtures.js';
import { writeLargePdf } from '../../src/bench/pdf-bench.js';

/**
 * The documents endpoints through `app.inject()` over the real core (SoftHSM token, store, axis
 * simulator): the happy paths, the downloads, and every error code of the contract that the
 * documents service can produce, with nothing stored when a request is refused.
 */
const dir = t.testdir();
const env = await makeOffices(dir, [OFFICE_A, OFFICE_B], { tuning: { outboxBackoff: { baseMs: 100, factor: 2, maxMs: 400, jitter: 0 } } });
t.teardown(() => env.close());
const [a, b] = env.offices as [(typeof env.offices)[0], (typeof env.offices)[0]];
const ha = await makeHttp(a);
const hb = await makeHttp(b);
t.teardown(() => Promise.all([ha.close(), hb.close()]));
await until(() => a.core.store.activeCount('organs') === 2, 20_000, 'directory synced');
const pdf = await readFile(SAMPLE_PDF);
const trust = await loadTrustStore(env.trustDir);

function pdfPart(name = 'file', filename = 'Quyết định số 12.pdf', content: Buffer = pdf): FormPart {
  return { name, file: { filename, content, contentType: 'application/pdf' } };
}

async function post(h: HttpEnv, url: string, parts: FormPart[], headers: Record<string, string> = {}, role: 'clerk' | 'viewer' | 'admin' = 'clerk'): Promise<LightMyRequestResponse> {
  const f = form(parts);
  return h.app.inject({ method: 'POST', url, headers: { ...f.headers, authorization: h.keys[role], ...headers }, payload: f.payload });
}

function submit(h: HttpEnv, metadata: unknown, extra: FormPart[] = [], headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return post(h, '/api/v1/documents', [{ name: 'metadata', value: JSON.stringify(metadata) }, pdfPart(), ...extra], headers);
}

const errCode = (r: LightMyRequestResponse): string => (r.json() as { error: { code: string } }).error.code;

async function blobCount(): Promise<number> {
  let n = 0;
  for await (const _ of a.core.store.blobs.list()) n++;
  return n;
}

const uploadsEmpty = async (h: HttpEnv) => (await readdir(h.uploadDir)).length === 0;

t.test('submit: 201 with the contract fields, stored, uploads removed', async (t) => {
  const r = await submit(ha, metadataFor([OFFICE_B.id]), [{ name: 'attachments', file: { filename: '../../etc/Phụ lục.txt', content: 'Phụ lục', contentType: 'text/plain' } }]);
  t.equal(r.statusCode, 201, r.body);
  const v = r.json() as DocumentView;
  t.match(v, { id: String, documentId: String, state: 'queued', recipients: [{ organId: OFFICE_B.id, status: null }] });
  t.equal(v.signatures.length, 1);
  t.equal(v.signatures[0]?.integrity, 'valid');
  t.equal(v.attachments[0]?.name, 'Phụ lục.txt', 'path segments of the client file name are dropped');
  t.equal(r.headers['location'], `/api/v1/documents/${v.id}`);
  t.ok(await uploadsEmpty(ha), 'no temp file left');

  const got = await ha.app.inject({ url: `/api/v1/documents/${v.id}`, headers: { authorization: ha.keys.viewer } });
  t.equal(got.statusCode, 200);
  t.ok((got.json() as DocumentView).history.some((h) => h.event === 'signed'));

  const file = await ha.app.inject({ url: `/api/v1/documents/${v.id}/file`, headers: { authorization: ha.keys.viewer } });
  t.equal(file.statusCode, 200);
  t.equal(file.headers['content-type'], 'application/pdf');
  t.equal(file.headers['content-disposition'], `attachment; filename="Quyet dinh so 12.signed.pdf"; filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20s%E1%BB%91%2012.signed.pdf`);
  t.ok(file.rawPayload.subarray(0, pdf.length).equals(pdf), 'the signed file is an incremental update of the original');
  const att = await ha.app.inject({ url: `/api/v1/documents/${v.id}/attachments/0`, headers: { authorization: ha.keys.viewer } });
  t.equal(att.body, 'Phụ lục');
  t.equal((await ha.app.inject({ url: `/api/v1/documents/${v.id}/attachments/1`, headers: { authorization: ha.keys.viewer } })).statusCode, 404);
  const edxml = await ha.app.inject({ url: `/api/v1/documents/${v.id}/edxml`, headers: { authorization: ha.keys.viewer } });
  t.equal(edxml.statusCode, 200);
  t.match(edxml.body, /edXML/);
});

t.test('Idempotency-Key: same body → the first result; different body → 409', async (t) => {
  const meta = metadataFor([OFFICE_B.id]);
  const first = await submit(ha, meta, [], { 'idempotency-key': 'dms-42' });
  t.equal(first.statusCode, 201);
  const again = await submit(ha, meta, [], { 'idempotency-key': 'dms-42' });
  t.equal(again.statusCode, 201);
  t.equal((again.json() as DocumentView).id, (first.json() as DocumentView).id);
  const other = await submit(ha, { ...meta, subject: 'Khác' }, [], { 'idempotency-key': 'dms-42' });
  t.equal(other.statusCode, 409);
  t.equal(errCode(other), 'CONFLICT');
  const dup = await submit(ha, meta);
  t.equal(errCode(dup), 'CONFLICT', 'same DocumentId without the key');
  t.equal((await submit(ha, meta, [], { 'idempotency-key': 'bad key with spaces' })).statusCode, 400);
});

t.test('refusals: every code, all problems at once, nothing stored', async (t) => {
  const before = { blobs: await blobCount(), records: a.core.store.activeCount('outgoing') };
  const invalid = await submit(ha, metadataFor([OFFICE_B.id], { type: 'XX', subject: '', promulgationDate: '2026-02-30' }));
  t.equal(invalid.statusCode, 422);
  t.equal(errCode(invalid), 'VALIDATION_FAILED');
  t.same(((invalid.json() as { error: { details: { field: string }[] } }).error.details.map((d) => d.field)).sort(), ['promulgationDate', 'subject', 'type']);

  const secret = await submit(ha, metadataFor([OFFICE_B.id], { secrecy: 'Mật' }), [{ name: 'attachments', file: { filename: 'a.txt', content: 'x' } }]);
  t.equal(secret.statusCode, 422);
  t.equal(errCode(secret), 'SECRET_DOCUMENT');

  const unknown = await submit(ha, metadataFor(['000.00.00.G22']));
  t.equal(errCode(unknown), 'UNKNOWN_RECIPIENT');
  t.equal((await submit(ha, metadataFor(['not an id']))).statusCode, 422);

  const notPdf = await post(ha, '/api/v1/documents', [{ name: 'metadata', value: JSON.stringify(metadataFor([OFFICE_B.id])) }, { name: 'file', file: { filename: 'fake.pdf', content: 'MZ\x90\x00 this is not a pdf', contentType: 'application/pdf' } }]);
  t.equal(notPdf.statusCode, 415, 'magic bytes, not the claimed type');
  t.equal(errCode(notPdf), 'UNSUPPORTED_MEDIA_TYPE');
  const exe = await submit(ha, metadataFor([OFFICE_B.id]), [{ name: 'attachments', file: { filename: 'setup.pdf', content: '\x7fELF\x02\x01\x01', contentType: 'application/pdf' } }]);
  t.equal(errCode(exe), 'UNSUPPORTED_MEDIA_TYPE', 'a program is not an attachment');

  const enc = path.join(dir, 'enc.pdf');
  execFileSync('qpdf', ['--encrypt', 'u', 'o', '256', '--', SAMPLE_PDF, enc]);
  const malformed = await post(ha, '/api/v1/documents', [{ name: 'metadata', value: JSON.stringify(metadataFor([OFFICE_B.id])) }, pdfPart('file', 'enc.pdf', await readFile(enc))]);
  t.equal(malformed.statusCode, 422);
  t.equal(errCode(malformed), 'MALFORMED_PDF');

  const tooMany = await submit(ha, metadataFor([OFFICE_B.id]), Array.from({ length: a.config.limits.maxAttachments + 1 }, (_, i) => ({ name: 'attachments', file: { filename: `a${i}.txt`, content: 'x' } })));
  t.equal(errCode(tooMany), 'VALIDATION_FAILED');

  const missing = await post(ha, '/api/v1/documents', [{ name: 'note', value: 'x' }]);
  t.same((missing.json() as { error: { details: { field: string }[] } }).error.details.map((d) => d.field), ['metadata', 'file'], 'both missing parts reported');
  const badJson = await post(ha, '/api/v1/documents', [{ name: 'metadata', value: '{"type":' }, pdfPart()]);
  t.equal(badJson.statusCode, 400);
  t.equal(errCode(badJson), 'BAD_REQUEST');
  const f = form([pdfPart()]);
  const truncated = await ha.app.inject({ method: 'POST', url: '/api/v1/documents', headers: { ...f.headers, authorization: ha.keys.clerk }, payload: f.payload.subarray(0, f.payload.length - 40) });
  t.equal(errCode(truncated), 'BAD_REQUEST', 'malformed multipart');
  const json = await ha.app.inject({ method: 'POST', url: '/api/v1/documents', headers: { authorization: ha.keys.clerk }, payload: { metadata: {} } });
  t.equal(json.statusCode, 415, 'not multipart');

  t.equal(await blobCount(), before.blobs, 'no blob stored by any refusal');
  t.equal(a.core.store.activeCount('outgoing'), before.records, 'no record');
  t.ok(await uploadsEmpty(ha), 'no temp file left');
});

t.test('policy and device errors: PRIOR_SIGNATURE_REQUIRED, HSM_UNAVAILABLE, STORAGE_FULL', async (t) => {
  const deps = { config: a.config, store: a.core.store, token: a.token as SigningToken, trust, bus: a.bus, logger: testLogger() };
  const strict = await makeHttp(a, { documents: new Documents({ ...deps, config: { ...a.config, signing: { ...a.config.signing, requirePriorSignature: true } } }), uploadDir: path.join(dir, 'up-strict') });
  t.teardown(() => strict.close());
  const r1 = await submit(strict, metadataFor([OFFICE_B.id]));
  t.equal(r1.statusCode, 422);
  t.equal(errCode(r1), 'PRIOR_SIGNATURE_REQUIRED');
  const personal = path.join(dir, 'personal.pdf');
  await signPdf({ input: SAMPLE_PDF, output: personal, token: b.token });
  const r2 = await post(strict, '/api/v1/documents', [{ name: 'metadata', value: JSON.stringify(metadataFor([OFFICE_B.id])) }, pdfPart('file', 'signed.pdf', await readFile(personal))]);
  t.equal(r2.statusCode, 201, 'accepted once the competent person has signed');

  const down: SigningToken = Object.assign(Object.create(a.token) as SigningToken, {
    state: () => 'down' as const,
    signDigest: () => Promise.reject(new AppError('HSM_UNAVAILABLE', 'token removed')),
  });
  const noHsm = await makeHttp(a, { documents: new Documents({ ...deps, token: down }), uploadDir: path.join(dir, 'up-down') });
  t.teardown(() => noHsm.close());
  const r3 = await submit(noHsm, metadataFor([OFFICE_B.id]));
  t.equal(r3.statusCode, 503);
  t.equal(errCode(r3), 'HSM_UNAVAILABLE');
  t.notMatch(r3.body, /CKR_|\/tmp|\.ts:/, 'no internals in the body');
  const r4 = await post(noHsm, '/api/v1/sign', [pdfPart()]);
  t.equal(errCode(r4), 'HSM_UNAVAILABLE');
  const metrics = await noHsm.app.inject({ url: '/metrics' });
  t.match(metrics.body, /edoc_hsm_errors_total [1-9]/, 'counted in the metrics');

  // A state filesystem "full": a store that keeps more in reserve than the disk has.
  const fullStore = await Store.open({ stateDir: path.join(dir, 'full-state'), reserveBytes: Number.MAX_SAFE_INTEGER / 2 });
  t.teardown(() => fullStore.close());
  const full = await makeHttp(a, { documents: new Documents({ ...deps, store: fullStore }), uploadDir: path.join(dir, 'up-full') });
  t.teardown(() => full.close());
  const r5 = await submit(full, metadataFor([OFFICE_B.id]));
  t.equal(r5.statusCode, 507);
  t.equal(errCode(r5), 'STORAGE_FULL');
  t.equal(fullStore.activeCount('outgoing'), 0);
});

t.test('sign and verify files', async (t) => {
  const signed = await post(ha, '/api/v1/sign', [pdfPart('file', 'Tờ trình.pdf')]);
  t.equal(signed.statusCode, 200, signed.body.slice(0, 200));
  t.equal(signed.headers['content-type'], 'application/pdf');
  t.match(String(signed.headers['x-signature-id']), /\S+/);
  t.match(String(signed.headers['content-disposition']), /filename\*=UTF-8''T%E1%BB%9D%20tr%C3%ACnh\.signed\.pdf/);
  const v = await post(ha, '/api/v1/verify', [pdfPart('file', 'x.pdf', signed.rawPayload)], {}, 'viewer');
  t.equal(v.statusCode, 200);
  t.match(v.json(), { valid: true, signatures: [{ format: 'pades', integrity: 'valid', certificateTrusted: true, coversWholeDocument: true }] });

  const text = Buffer.from('Nội dung văn bản');
  const p7s = await post(ha, '/api/v1/sign', [{ name: 'file', file: { filename: 'ghi-chu.txt', content: text, contentType: 'text/plain' } }]);
  t.equal(p7s.headers['content-type'], 'application/pkcs7-signature');
  t.match(String(p7s.headers['content-disposition']), /ghi-chu\.txt\.p7s/);
  const ok = await post(ha, '/api/v1/verify', [{ name: 'file', file: { filename: 'g.txt', content: text } }, { name: 'signature', file: { filename: 'g.p7s', content: p7s.rawPayload } }], {}, 'viewer');
  t.equal(ok.json().valid, true);
  const bad = await post(ha, '/api/v1/verify', [{ name: 'file', file: { filename: 'g.txt', content: Buffer.from('Nội dung khác') } }, { name: 'signature', file: { filename: 'g.p7s', content: p7s.rawPayload } }], {}, 'viewer');
  t.equal(bad.json().valid, false, 'a changed file fails');

  t.equal(errCode(await post(ha, '/api/v1/sign', [{ name: 'file', file: { filename: 'a.txt', content: text } }, { name: 'format', value: 'pades' }])), 'UNSUPPORTED_MEDIA_TYPE');
  t.equal(errCode(await post(ha, '/api/v1/sign', [pdfPart(), { name: 'format', value: 'png' }])), 'VALIDATION_FAILED');
  t.equal(errCode(await post(ha, '/api/v1/verify', [{ name: 'file', file: { filename: 'a.txt', content: text } }], {}, 'viewer')), 'UNSUPPORTED_MEDIA_TYPE');
  const signedLeft = async () => (await readdir(path.join(a.core.store.stateDir, 'work'))).filter((n) => n.startsWith('sign-'));
  await until(async () => (await uploadsEmpty(ha)) && (await signedLeft()).length === 0, 5000, 'temp files removed');
  t.ok(await uploadsEmpty(ha), 'uploads removed');
  t.same(await signedLeft(), [], 'the signed results are removed once streamed');
});

t.test('sign: small files are signed in memory, larger ones file to file; both audited, nothing left behind', async (t) => {
  const big = path.join(dir, 'lon.pdf');
  await writeLargePdf(big, 3 * 1024 * 1024); // above the route's in-memory size (2 MiB)
  const bigBytes = await readFile(big);
  for (const [label, content] of [['small', pdf], ['large', bigBytes]] as const) {
    const headBefore = a.core.store.auditHead.seq;
    // Files appearing in the upload dir during the request (inotify): a small upload is received
    // in memory only, a large one spills to a temp file — which also shows the watch works.
    const created = new Set<string>();
    const watcher = watch(ha.uploadDir, (_ev, name) => void (name && created.add(String(name))));
    const r = await post(ha, '/api/v1/sign', [pdfPart('file', `${label}.pdf`, content)]);
    await new Promise((res) => setTimeout(res, 200)); // let the last inotify events arrive
    watcher.close();
    if (label === 'small') t.same([...created], [], 'small: no temp file written for the upload');
    else t.ok([...created].some((n) => n.startsWith('up-')), 'large: the upload went to a temp file');
    t.equal(r.statusCode, 200, `${label}: ${r.body.slice(0, 200)}`);
    t.equal(r.headers['content-length'], String(r.rawPayload.length), `${label}: content-length`);
    t.ok(r.rawPayload.subarray(0, content.length).equals(content), `${label}: incremental update of the upload`);
    const out = path.join(dir, `${label}.signed.pdf`);
    await writeFile(out, r.rawPayload);
    const popp = pdfsigVerify(out);
    t.ok(popp.signatures[0]?.valid && popp.signatures[0]?.totalDocument, `${label}: pdfsig says valid, whole document`);
    t.ok(qpdfCheck(out).ok, `${label}: qpdf --check`);
    // Audited before the 200 (store.audit resolves once its journal line is synced).
    const log = (await readFile(auditPath(a.core.store.stateDir), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
    const mine = log.filter((e) => e.seq > headBefore && e.event === 'signed-file');
    t.equal(mine.length, 1, `${label}: one audit entry`);
    t.match(mine[0], { data: { sha256: createHash('sha256').update(content).digest('hex'), signatureId: r.headers['x-signature-id'] } }, `${label}: audited with the upload's hash`);
  }
  const signedLeft = async () => (await readdir(path.join(a.core.store.stateDir, 'work'))).filter((n) => n.startsWith('sign-'));
  await until(async () => (await uploadsEmpty(ha)) && (await signedLeft()).length === 0, 5000, 'temp files removed');
  t.ok(await uploadsEmpty(ha), 'uploads removed');
});

t.test('list, organs, report (JSON and CSV)', async (t) => {
  const list = await ha.app.inject({ url: '/api/v1/documents?direction=outgoing&limit=2', headers: { authorization: ha.keys.viewer } });
  t.equal(list.statusCode, 200);
  const body = list.json() as { items: DocumentView[]; nextCursor: string | null };
  t.equal(body.items.length, 2);
  t.type(body.nextCursor, 'string');
  const page2 = await ha.app.inject({ url: `/api/v1/documents?direction=outgoing&limit=2&cursor=${encodeURIComponent(body.nextCursor!)}`, headers: { authorization: ha.keys.viewer } });
  t.notSame((page2.json() as { items: DocumentView[] }).items.map((d) => d.id), body.items.map((d) => d.id));
  const bad = await ha.app.inject({ url: '/api/v1/documents?direction=sideways&limit=0', headers: { authorization: ha.keys.viewer } });
  t.equal(errCode(bad), 'VALIDATION_FAILED');
  t.equal((bad.json() as { error: { details: unknown[] } }).error.details.length, 2, 'both bad parameters reported');

  const organs = await ha.app.inject({ url: '/api/v1/organs?q=Thái', headers: { authorization: ha.keys.viewer } });
  t.same(organs.json(), [{ id: OFFICE_B.id, name: OFFICE_B.name }]);

  const today = new Date().toISOString().slice(0, 10);
  const rep = await ha.app.inject({ url: `/api/v1/reports/summary?from=${today}&to=${today}`, headers: { authorization: ha.keys.viewer } });
  t.equal(rep.statusCode, 200);
  t.ok(rep.json().byDirection.outgoing >= 3);
  const csv = await ha.app.inject({ url: `/api/v1/reports/summary?from=${today}&to=${today}`, headers: { authorization: ha.keys.viewer, accept: 'text/csv' } });
  t.match(csv.headers['content-type'], /^text\/csv/);
  const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
  t.equal(lines[0], 'section,key,direction,count');
  t.ok(lines.some((l) => /^type,CV,,\d+$/.test(l)));
  t.equal(errCode(await ha.app.inject({ url: '/api/v1/reports/summary?from=2026-13-01', headers: { authorization: ha.keys.viewer } })), 'VALIDATION_FAILED');
});

t.test('incoming statuses, recall and the 15/16 answer', async (t) => {
  const sent = (await submit(ha, metadataFor([OFFICE_B.id]))).json() as DocumentView;
  await until(async () => (await a.core.documents.get(sent.id)).state === 'sent', 20_000, 'sent');
  await b.core.inbox.poll();
  const inc = (await b.core.documents.list({ direction: 'incoming', q: sent.documentId })).items[0]!;
  const set = (h: HttpEnv, id: string, payload: unknown) =>
    h.app.inject({ method: 'POST', url: `/api/v1/documents/${id}/status`, headers: { authorization: h.keys.clerk }, payload: payload as Record<string, unknown> });
  t.equal(errCode(await set(hb, inc.id, { code: '05' })), 'CONFLICT', 'invalid transition → 409');
  t.equal(errCode(await set(hb, inc.id, { code: '02' })), 'VALIDATION_FAILED', '02 needs a description');
  t.equal(errCode(await set(hb, inc.id, { code: '99' })), 'VALIDATION_FAILED');
  t.equal(errCode(await set(hb, 'in-nope', { code: '03' })), 'NOT_FOUND');
  const bad = await hb.app.inject({ method: 'POST', url: `/api/v1/documents/${inc.id}/status`, headers: { authorization: hb.keys.clerk, 'content-type': 'application/json' }, payload: '{"code":' });
  t.equal(errCode(bad), 'BAD_REQUEST', 'malformed JSON');
  const accepted = await set(hb, inc.id, { code: '03' });
  t.equal(accepted.statusCode, 200);
  t.equal(accepted.json().state, 'accepted');

  await until(() => a.core.store.activeCount('outbox') === 0 && b.core.store.activeCount('outbox') === 0, 20_000, 'drained');
  const recall = await ha.app.inject({ method: 'POST', url: `/api/v1/documents/${sent.id}/recall`, headers: { authorization: ha.keys.clerk }, payload: { reason: 'Nhầm nơi nhận' } });
  t.equal(recall.statusCode, 200, recall.body);
  t.equal(errCode(await ha.app.inject({ method: 'POST', url: `/api/v1/documents/${inc.id}/recall`, headers: { authorization: ha.keys.clerk }, payload: { reason: 'x' } })), 'NOT_FOUND', 'not an outgoing document of A');
  await until(() => a.core.store.activeCount('outbox') === 0, 20_000, 'recall sent');
  await b.core.inbox.poll();
  const pending = await hb.app.inject({ url: `/api/v1/documents/${inc.id}`, headers: { authorization: hb.keys.viewer } });
  t.match(pending.json().recallRequested, { reason: 'Nhầm nơi nhận' });
  const agreed = await set(hb, inc.id, { code: '15' });
  t.equal(agreed.statusCode, 200, agreed.body);
  t.equal(agreed.json().state, 'recalled');
  await until(() => b.core.store.activeCount('outbox') === 0, 20_000, 'answer sent');
  await a.core.inbox.poll();
  const hist = (await ha.app.inject({ url: `/api/v1/documents/${sent.id}`, headers: { authorization: ha.keys.viewer } })).json() as DocumentView;
  t.ok(hist.history.some((h) => h.statusCode === '15'), 'the 15 answer appears in the sender’s history');
});
