import t from 'tap';
import { Ajv, type ErrorObject } from 'ajv';
import { SCHEMA_KEYWORDS_VI, schemaProblem } from '../../src/http/i18n-schema.js';

/**
 * Request-schema errors in Vietnamese: each ajv keyword is provoked for real (ajv 8, as fastify
 * runs it: all errors) and rendered from its keyword and params. English keeps ajv's message.
 * That the API's own schemas use only keywords listed here is checked in i18n-details.test.ts.
 */
const VI_LETTER = /[ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ]/i;
const ajv = new Ajv({ allErrors: true, strict: false });
// fastify adds ajv-formats; one format is enough to provoke the keyword here.
ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);

function errorsOf(schema: object, data: unknown): ErrorObject[] {
  const validate = ajv.compile(schema);
  return validate(data) ? [] : (validate.errors ?? []);
}

const CASES: [string, object, unknown][] = [
  ['required', { type: 'object', required: ['a'] }, {}],
  ['type', { type: ['string', 'null'] }, 5],
  ['enum', { enum: ['outgoing', 'incoming'] }, 'x'],
  ['const', { const: 'none' }, 'x'],
  ['minLength', { minLength: 3 }, 'x'],
  ['maxLength', { maxLength: 2 }, 'xyz'],
  ['pattern', { pattern: '^\\d{4}$' }, 'x'],
  ['format', { format: 'date' }, 'x'],
  ['minimum', { minimum: 1 }, 0],
  ['maximum', { maximum: 200 }, 201],
  ['exclusiveMinimum', { exclusiveMinimum: 1 }, 1],
  ['exclusiveMaximum', { exclusiveMaximum: 1 }, 1],
  ['multipleOf', { multipleOf: 2 }, 3],
  ['minItems', { minItems: 1 }, []],
  ['maxItems', { maxItems: 1 }, [1, 2]],
  ['uniqueItems', { uniqueItems: true }, [1, 1]],
  ['minProperties', { minProperties: 1 }, {}],
  ['maxProperties', { maxProperties: 0 }, { a: 1 }],
  ['additionalProperties', { additionalProperties: false }, { extra: 1 }],
  ['dependencies', { dependencies: { a: ['b'] } }, { a: 1 }],
  ['anyOf', { anyOf: [{ type: 'string' }, { type: 'integer' }] }, true],
  ['oneOf', { oneOf: [{ type: 'number' }, { type: 'integer' }] }, 1],
  ['not', { not: { type: 'string' } }, 'x'],
  ['if', { if: { type: 'string' }, then: { minLength: 2 } }, 'x'],
  ['contains', { contains: { type: 'string' } }, [1]],
  ['propertyNames', { propertyNames: { pattern: '^a' } }, { b: 1 }],
  ['additionalItems', { items: [{ type: 'integer' }], additionalItems: false }, [1, 2]],
  ['false schema', { properties: { a: false } }, { a: 1 }],
];

t.test('every keyword ajv reports has a Vietnamese text, rendered from its params', async (t) => {
  const provoked = new Set<string>();
  for (const [keyword, schema, data] of CASES) {
    const errors = errorsOf(schema, data).filter((e) => e.keyword === keyword);
    t.ok(errors.length > 0, `${keyword}: ajv reports it`);
    for (const e of errors) {
      provoked.add(e.keyword);
      const missing: string[] = [];
      const vi = schemaProblem(e, 'vi', (k) => missing.push(k));
      t.same(missing, [], `${keyword}: translated`);
      t.match(vi, VI_LETTER, `${keyword}: "${vi}" is Vietnamese`);
      t.equal(schemaProblem(e, 'en'), keyword === 'required' ? 'is required' : e.message, `${keyword}: English is ajv's message`);
    }
  }
  t.same([...provoked].sort(), CASES.map((c) => c[0]).sort(), 'each case provoked its keyword');
});

t.test('values from the schema appear in the Vietnamese text', async (t) => {
  const vi = (schema: object, data: unknown) => errorsOf(schema, data).map((e) => schemaProblem(e, 'vi'));
  t.same(vi({ enum: ['outgoing', 'incoming'] }, 'x'), ['phải là một trong các giá trị: outgoing, incoming']);
  t.same(vi({ maxLength: 200 }, 'x'.repeat(201)), ['không được vượt quá 200 ký tự']);
  t.same(vi({ minLength: 1 }, ''), ['không được để trống']);
  t.same(vi({ type: 'integer', minimum: 1 }, 0), ['phải lớn hơn hoặc bằng 1']);
  t.same(vi({ type: ['string', 'null'] }, 5), ['phải là chuỗi ký tự hoặc null']);
  t.same(vi({ type: 'object', required: ['code'] }, {}), ['là bắt buộc']);
});

t.test('a keyword without a text is reported, and the reader still gets Vietnamese', async (t) => {
  const heard: string[] = [];
  const text = schemaProblem({ keyword: 'someFutureKeyword', instancePath: '', params: {}, message: 'must be shiny' }, 'vi', (k) => heard.push(k));
  t.equal(text, 'không hợp lệ');
  t.same(heard, ['someFutureKeyword']);
  t.ok(Object.keys(SCHEMA_KEYWORDS_VI).length >= CASES.length);
});
