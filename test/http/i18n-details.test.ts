import t, { type Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { readFile } from 'node:fs/promises';
import { SCHEMA_KEYWORDS_VI } from '../../src/http/i18n-schema.js';
import { OFFICE_A, SAMPLE_PDF, makeOffices, metadataFor } from '../support/office.js';
import { PASSWORD, form, makeHttp, type FormPart } from '../support/http.js';

/**
 * `details[].problem` of VALIDATION_FAILED, UNKNOWN_RECIPIENT and SECRET_DOCUMENT over the real
 * API: Vietnamese by default and for `vi`, English (byte for byte as before) when English is
 * preferred, `field` identical in both.
 */
const dir = t.testdir();
const env = await makeOffices(dir, [OFFICE_A]);
t.teardown(() => env.close());
const a = env.offices[0]!;
const h = await makeHttp(a);
t.teardown(() => h.close());
const pdf = await readFile(SAMPLE_PDF);

type Detail = { field: string; problem: string };
const VI_LETTER = /[ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ]/i;
const EN = { 'accept-language': 'en-US,en;q=0.9' };
const VI = { 'accept-language': 'vi-VN,vi;q=0.9,en;q=0.5' };

function error(r: LightMyRequestResponse): { code: string; message: string; details: Detail[] } {
  return (r.json() as { error: { code: string; message: string; details: Detail[] } }).error;
}

async function submit(metadata: unknown, headers: Record<string, string> = {}, parts?: FormPart[]): Promise<LightMyRequestResponse> {
  const f = form(parts ?? [{ name: 'metadata', value: JSON.stringify(metadata) }, { name: 'file', file: { filename: 'vb.pdf', content: pdf, contentType: 'application/pdf' } }]);
  return h.app.inject({ method: 'POST', url: '/api/v1/documents', headers: { ...f.headers, ...headers, authorization: h.keys.clerk }, payload: f.payload });
}

/** The same request in English, with no header and in Vietnamese: fields equal, problems as stated. */
async function inAllLanguages(t: Test, send: (headers: Record<string, string>) => Promise<LightMyRequestResponse>, code: string): Promise<{ en: Detail[]; vi: Detail[] }> {
  const en = error(await send(EN));
  const none = error(await send({}));
  const vi = error(await send(VI));
  for (const e of [en, none, vi]) t.equal(e.code, code);
  t.same(none.details, vi.details, 'Vietnamese is the default');
  t.same(vi.details.map((d) => d.field), en.details.map((d) => d.field), 'fields do not change with the language');
  for (const d of vi.details) t.match(d.problem, VI_LETTER, `${d.field}: "${d.problem}" is Vietnamese`);
  return { en: en.details, vi: vi.details };
}

t.test('metadata problems', async (t) => {
  const meta = metadataFor([OFFICE_A.id, OFFICE_A.id.toLowerCase()], { type: 'XX', subject: 'a'.repeat(501), promulgationDate: '2026-02-30', signer: { fullName: '' }, extra: 1 });
  const { en, vi } = await inAllLanguages(t, (headers) => submit(meta, headers), 'VALIDATION_FAILED');
  // English is exactly what the domain validator says (clients may already rely on it).
  t.same(en, [
    { field: 'type', problem: 'must be a document type id of the catalogue (QD, CV, TB, …)' },
    { field: 'promulgationDate', problem: 'must be a real calendar date written YYYY-MM-DD' },
    { field: 'subject', problem: 'must be at most 500 characters' },
    { field: 'recipients[1]', problem: 'duplicates recipients[0]' },
    { field: 'signer.fullName', problem: 'must not be empty' },
    { field: 'extra', problem: 'is not a known field' },
  ]);
  t.same(vi, [
    { field: 'type', problem: 'phải là mã loại văn bản có trong danh mục (QD, CV, TB, …)' },
    { field: 'promulgationDate', problem: 'phải là ngày có thật, viết theo định dạng YYYY-MM-DD' },
    { field: 'subject', problem: 'không được vượt quá 500 ký tự' },
    { field: 'recipients[1]', problem: 'bị trùng với recipients[0]' },
    { field: 'signer.fullName', problem: 'không được để trống' },
    { field: 'extra', problem: 'không phải là trường thông tin được hỗ trợ' },
  ]);
});

t.test('missing parts, invalid and unknown recipients, secret documents', async (t) => {
  const missing = await inAllLanguages(t, (headers) => submit(null, headers, [{ name: 'note', value: 'x' }]), 'VALIDATION_FAILED');
  t.same(missing.vi, [{ field: 'metadata', problem: 'là bắt buộc' }, { field: 'file', problem: 'là bắt buộc' }]);
  t.same(missing.en.map((d) => d.problem), ['is required', 'is required']);

  const meta = metadataFor(['not an id']);
  const invalid = await inAllLanguages(t, (headers) => submit(meta, headers), 'UNKNOWN_RECIPIENT');
  t.same(invalid.en, [{ field: 'recipients[0]', problem: 'must be dot-separated non-empty groups of A-Z and 0-9 (an OrganId)' }]);

  const unknown = await inAllLanguages(t, (headers) => submit(metadataFor(['000.00.00.G22']), headers), 'UNKNOWN_RECIPIENT');
  t.same(unknown.vi, [{ field: 'recipients[0]', problem: '000.00.00.G22 không có trong danh bạ cơ quan' }], 'values inside the text are kept');
  t.same(unknown.en, [{ field: 'recipients[0]', problem: '000.00.00.G22 is not in the agency directory' }]);

  const secret = await inAllLanguages(t, (headers) => submit(metadataFor([OFFICE_A.id], { secrecy: 'secret' }), headers), 'SECRET_DOCUMENT');
  t.same(secret.vi, [{ field: 'secrecy', problem: 'văn bản mật không được gửi qua trục liên thông' }]);
  t.same(secret.en, [{ field: 'secrecy', problem: 'secret documents must not be sent over the exchange' }]);
});

t.test('request-schema problems (fastify/ajv)', async (t) => {
  const list = await inAllLanguages(t, (headers) => h.app.inject({ url: '/api/v1/documents?limit=0&direction=sideways', headers: { ...headers, authorization: h.keys.viewer } }), 'VALIDATION_FAILED');
  t.same(list.en, [
    { field: 'direction', problem: 'must be equal to one of the allowed values' },
    { field: 'limit', problem: 'must be >= 1' },
  ]);
  t.same(list.vi, [
    { field: 'direction', problem: 'phải là một trong các giá trị: outgoing, incoming' },
    { field: 'limit', problem: 'phải lớn hơn hoặc bằng 1' },
  ]);
  const status = await inAllLanguages(
    t,
    (headers) => h.app.inject({ method: 'POST', url: '/api/v1/documents/in-x/recall', headers: { ...headers, authorization: h.keys.clerk }, payload: { why: 'x' } }),
    'VALIDATION_FAILED',
  );
  t.same(status.en, [{ field: 'reason', problem: 'is required' }]);
  t.same(status.vi, [{ field: 'reason', problem: 'là bắt buộc' }]);
});

t.test('problems from accounts and reports', async (t) => {
  const user = await inAllLanguages(
    t,
    (headers) => h.app.inject({ method: 'POST', url: '/api/v1/users', headers: { ...headers, authorization: h.keys.admin }, payload: { username: 'tên có dấu', role: 'viewer', password: PASSWORD } }),
    'VALIDATION_FAILED',
  );
  t.same(user.en, [{ field: 'username', problem: 'letters, digits, . _ - (1–64), starting with a letter or digit' }]);
  const report = await inAllLanguages(t, (headers) => h.app.inject({ url: '/api/v1/reports/summary?from=2026-02-01&to=2026-01-01', headers: { ...headers, authorization: h.keys.viewer } }), 'VALIDATION_FAILED');
  t.same(report.vi, [{ field: 'from', problem: 'from và to phải theo định dạng YYYY-MM-DD, from không được sau to' }]);
});

// Validation keywords of JSON Schema that ajv reports errors for.
const AJV_KEYWORDS = new Set([
  'type', 'enum', 'const', 'minLength', 'maxLength', 'pattern', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'multipleOf', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'required', 'additionalProperties',
  'dependentRequired', 'dependencies', 'anyOf', 'oneOf', 'not', 'if', 'contains', 'propertyNames', 'additionalItems',
  'unevaluatedProperties', 'unevaluatedItems', 'discriminator',
]);

t.test("every validation keyword in the API's schemas has a Vietnamese text", async (t) => {
  const res = await h.app.inject({ url: '/api/openapi.json', headers: { authorization: h.keys.viewer } });
  t.equal(res.statusCode, 200);
  const used = new Set<string>();
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (typeof x === 'object' && x !== null) {
      for (const [k, v] of Object.entries(x)) {
        if (AJV_KEYWORDS.has(k)) used.add(k);
        walk(v);
      }
    }
  };
  walk(res.json());
  t.ok(used.has('maxLength') && used.has('enum'), `keywords found: ${[...used].join(', ')}`);
  for (const k of used) t.ok(SCHEMA_KEYWORDS_VI[k], `${k} has a Vietnamese text`);
});
