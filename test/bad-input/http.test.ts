import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeOffices, metadataFor, OFFICE_A, OFFICE_B, SAMPLE_PDF, until, type Office } from '../support/office.js';
import { form, makeHttp, type FormPart, type HttpEnv } from '../support/http.js';
import { METADATA_CORRUPTIONS, setPath } from '../support/domain.js';
import { snapshot, type StateSnapshot } from '../support/fault-state.js';

/**
 * Bad submissions through the HTTP app (`app.inject`) over a real office: every corruption of every
 * metadata field (test/support/domain.ts), NFD text and control characters, secret documents, and
 * broken multipart (missing parts, wrong types, path-traversal file names, too many or too large
 * files, a cut body). Each gets a clear 4xx with a typed code and leaves no record, blob, audit
 * entry or upload temp file behind.
 */
let office: Office;
let http: HttpEnv;
let small: HttpEnv;
let pdf: Buffer;

t.before(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'edoc-bad-http-'));
  const offices = await makeOffices(dir, [OFFICE_A, OFFICE_B]);
  office = offices.offices[0]!;
  http = await makeHttp(office);
  // Same office with tight limits, for 413 and the attachment count.
  small = await makeHttp(office, { limits: { maxUploadBytes: 4096, maxAttachments: 1 }, auth: http.auth });
  t.teardown(async () => {
    await small.close();
    await http.close();
    await offices.close();
    // Not t.testdir(): tap removes that before this teardown has stopped the simulator.
    await rm(dir, { recursive: true, force: true });
  });
  pdf = await readFile(SAMPLE_PDF);
});

type Body = { error?: { code: string; message: string; details?: { field: string; problem: string }[] }; documentId?: string; subject?: string };

async function post(env: HttpEnv, parts: FormPart[], url = '/api/v1/documents'): Promise<{ status: number; body: Body }> {
  const f = form(parts);
  const res = await env.app.inject({ method: 'POST', url, payload: f.payload, headers: { ...f.headers, authorization: env.keys.clerk } });
  return { status: res.statusCode, body: parse(res.body) };
}

/** The JSON error body, or {} for a file answer (a signed PDF). */
function parse(text: string): Body {
  try {
    return JSON.parse(text || '{}') as Body;
  } catch {
    return {};
  }
}

const pdfPart = (filename = 'van-ban.pdf', content: Buffer = pdf, contentType = 'application/pdf'): FormPart => ({ name: 'file', file: { filename, content, contentType } });
const metaPart = (m: unknown): FormPart => ({ name: 'metadata', value: typeof m === 'string' ? m : JSON.stringify(m) });

/** Earlier accepted documents finish sending (and auditing) before a snapshot is taken. */
async function quiet(): Promise<StateSnapshot> {
  await until(() => office.core.store.activeCount('outbox') === 0, 30_000, 'the outbox to drain');
  return snapshot(office.core.store);
}

async function unchanged(t: Test, before: StateSnapshot, what: string): Promise<void> {
  t.same(await snapshot(office.core.store), before, `${what}: nothing stored, no temp file left`);
}

t.test('every metadata field wrong in every way → 422 VALIDATION_FAILED naming the field', async (t) => {
  const before = await quiet();
  let cases = 0;
  for (const [field, values] of METADATA_CORRUPTIONS) {
    for (const value of values) {
      const meta = setPath(metadataFor([OFFICE_B.id]), field, value);
      const r = await post(http, [metaPart(meta), pdfPart()]);
      const label = `${field} = ${JSON.stringify(value)?.slice(0, 40)}`;
      t.equal(r.status, 422, `${label}: 422`);
      // spec/http-api.md: a recipient that is not a valid OrganId is UNKNOWN_RECIPIENT.
      const codes = field === 'recipients' ? ['VALIDATION_FAILED', 'UNKNOWN_RECIPIENT'] : ['VALIDATION_FAILED'];
      t.ok(codes.includes(r.body.error?.code ?? ''), `${label}: ${r.body.error?.code}`);
      const fields = (r.body.error?.details ?? []).map((d) => d.field);
      // The problem is reported on the field itself or on its parent object (signer.nickname → signer).
      const top = field.split('.')[0]!;
      t.ok(fields.some((f) => f === field || f.startsWith(`${field}.`) || f.startsWith(`${field}[`) || f === top), `${label}: names ${field} (got ${fields.join(', ')})`);
      cases++;
    }
  }
  t.ok(cases > 80, `${cases} corruptions tried`);
  await unchanged(t, before, 'metadata corruptions');
});

t.test('NFD and control characters', async (t) => {
  const before = await quiet();
  for (const [field, value] of [
    ['subject', 'Về việc\u0000 thử'],
    ['subject', 'Về việc\u001b[31m đỏ'],
    ['signer.fullName', 'Nguyễn\u200b\u0008Văn A'],
    ['place', 'Tiên\u0085Lương'],
  ] as const) {
    const r = await post(http, [metaPart(setPath(metadataFor([OFFICE_B.id]), field, value)), pdfPart()]);
    t.equal(r.status, 422, `${field} with ${JSON.stringify(value)}: 422`);
    t.ok((r.body.error?.details ?? []).some((d) => d.field === field), `${field} is named`);
  }
  await unchanged(t, before, 'control characters');
  // NFD is not an error: it is normalised to NFC before anything is stored or signed.
  const nfd = 'Về việc triển khai'.normalize('NFD');
  const ok = await post(http, [metaPart(metadataFor([OFFICE_B.id], { subject: nfd })), pdfPart()]);
  t.equal(ok.status, 201, 'NFD subject accepted');
  const view = await office.core.documents.list({ direction: 'outgoing', q: 'triển khai' });
  t.ok(view.items.some((d) => d.subject === nfd.normalize('NFC')), 'stored in NFC');
});

t.test('secret documents are refused and nothing is stored', async (t) => {
  const before = await quiet();
  for (const secrecy of ['confidential', 'secret', 'top-secret', 'mật']) {
    const r = await post(http, [metaPart(metadataFor([OFFICE_B.id], { secrecy })), pdfPart()]);
    t.equal(r.status, 422, `secrecy ${secrecy}: 422`);
    t.ok(['SECRET_DOCUMENT', 'VALIDATION_FAILED'].includes(r.body.error?.code ?? ''), `secrecy ${secrecy}: ${r.body.error?.code}`);
  }
  await unchanged(t, before, 'secret documents');
});

t.test('broken multipart → clear 4xx, no temp files', async (t) => {
  await quiet();
  const before = await snapshot(office.core.store, [http.uploadDir]);
  const meta = (): FormPart => metaPart(metadataFor([OFFICE_B.id]));
  const cases: [string, () => Promise<{ status: number; body: Body }>, number[]][] = [
    ['no metadata part', () => post(http, [pdfPart()]), [400, 422]],
    ['no file part', () => post(http, [meta()]), [400, 422]],
    ['metadata is not JSON', () => post(http, [metaPart('{"type": "CV",'), pdfPart()]), [400, 422]],
    ['metadata is a JSON array', () => post(http, [metaPart('[1,2]'), pdfPart()]), [400, 422]],
    ['file is plain text', () => post(http, [meta(), pdfPart('van-ban.pdf', Buffer.from('hello, not a PDF\n'), 'text/plain')]), [415, 422]],
    ['file is an executable named .pdf', () => post(http, [meta(), pdfPart('setup.pdf', Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'))]), [415, 422]],
    ['file is empty', () => post(http, [meta(), pdfPart('van-ban.pdf', Buffer.alloc(0))]), [400, 415, 422]],
    ['two main files', () => post(http, [meta(), pdfPart(), pdfPart()]), [400, 422]],
    ['attachment of an unknown field', () => post(http, [meta(), pdfPart(), { name: 'evil', file: { filename: 'x.bin', content: Buffer.from('x') } }]), [400, 422]],
    ['too many attachments', () => post(small, [meta(), pdfPart('a.pdf', Buffer.from('%PDF-1.4\n')), ...[1, 2, 3].map((i) => ({ name: 'attachments', file: { filename: `${i}.txt`, content: Buffer.from('x') } }))]), [400, 413, 422]],
    ['file over maxUploadBytes', () => post(small, [meta(), pdfPart()]), [413]],
    ['not multipart at all', async () => {
      const res = await http.app.inject({ method: 'POST', url: '/api/v1/documents', payload: { metadata: {} }, headers: { authorization: http.keys.clerk } });
      return { status: res.statusCode, body: JSON.parse(res.body || '{}') as Body };
    }, [400, 415]],
    ['body cut before the closing boundary', async () => {
      const f = form([meta(), pdfPart()]);
      const cut = f.payload.subarray(0, f.payload.length - 2000);
      const res = await http.app.inject({ method: 'POST', url: '/api/v1/documents', payload: cut, headers: { ...f.headers, authorization: http.keys.clerk } });
      return { status: res.statusCode, body: JSON.parse(res.body || '{}') as Body };
    }, [400]],
    ['sign: no file', () => post(http, [{ name: 'format', value: 'pades' }], '/api/v1/sign'), [400, 422]],
    ['sign: PAdES of a text file', () => post(http, [pdfPart('a.txt', Buffer.from('text'), 'text/plain'), { name: 'format', value: 'pades' }], '/api/v1/sign'), [415]],
    ['sign: unknown format', () => post(http, [pdfPart(), { name: 'format', value: '../../x' }], '/api/v1/sign'), [400, 422]],
  ];
  for (const [what, run, statuses] of cases) {
    const r = await run();
    t.ok(statuses.includes(r.status), `${what}: ${r.status} (want ${statuses.join('/')})`);
    t.type(r.body.error?.code, 'string', `${what}: typed error ${r.body.error?.code}`);
  }
  await unchanged(t, before, 'broken multipart');
});

t.test('path-traversal file names never leave the upload directory', async (t) => {
  const names = ['../../../../tmp/edoc-evil.pdf', '..\\..\\evil.pdf', '/etc/passwd', 'a/../../b.pdf', '\u0000.pdf', '....//....//x.pdf', `${'a'.repeat(2000)}.pdf`];
  for (const name of names) {
    const sign = await post(http, [pdfPart(name)], '/api/v1/sign');
    // Signing a good PDF under a hostile name: fine to refuse, fine to sign; never to write there.
    t.ok(sign.status === 200 || (sign.status >= 400 && sign.status < 500), `sign ${JSON.stringify(name.slice(0, 40))}: ${sign.status}`);
    const sub = await post(http, [metaPart(metadataFor([OFFICE_B.id])), pdfPart(name), { name: 'attachments', file: { filename: name, content: Buffer.from('phụ lục') } }]);
    t.ok(sub.status === 201 || (sub.status >= 400 && sub.status < 500), `submit ${JSON.stringify(name.slice(0, 40))}: ${sub.status}`);
  }
  t.notOk(existsSync('/tmp/edoc-evil.pdf'), 'nothing written at the traversal target');
  t.notOk(existsSync(path.resolve(http.uploadDir, '..', '..', 'evil.pdf')), 'nothing written above the upload directory');
  const s = await snapshot(office.core.store, [http.uploadDir]);
  t.same(s.tempFiles, [], 'no upload temp file left');
});
