import type { FastifyError } from 'fastify';
import type { FieldProblem } from '../errors.js';
import type { Lang } from './i18n.js';
import { translateProblem } from './i18n-problems.js';

/**
 * Fastify's request-schema (ajv) errors as the contract's `[{"field","problem"}]`, all of them, in
 * the client's language. English keeps ajv's own message (what clients received so far); Vietnamese
 * is rendered from the error's keyword and params, not from ajv's wording, so an ajv upgrade that
 * rewords a message cannot break it. test/http/i18n-schema.test.ts checks that every keyword used
 * by the API's schemas has a Vietnamese text here.
 */
type Params = Record<string, unknown>;

const TYPE_VI: Record<string, string> = {
  string: 'chuỗi ký tự',
  number: 'số',
  integer: 'số nguyên',
  boolean: 'giá trị true hoặc false',
  object: 'đối tượng JSON',
  array: 'danh sách (mảng JSON)',
  null: 'null',
};

const list = (v: unknown): string => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ') : String(v));
const num = (p: Params): string => String(p['limit']);

/** Vietnamese per ajv keyword (ajv 8 keyword names and params). */
export const SCHEMA_KEYWORDS_VI: Readonly<Record<string, (p: Params) => string>> = {
  required: () => translateProblem('is required', 'vi')!,
  type: (p) => `phải là ${String(p['type']).split(',').map((t) => TYPE_VI[t] ?? t).join(' hoặc ')}`,
  enum: (p) => `phải là một trong các giá trị: ${list(p['allowedValues'])}`,
  const: (p) => `phải có giá trị ${list([p['allowedValue']])}`,
  // minLength 1 is how the schemas say "not empty".
  minLength: (p) => (p['limit'] === 1 ? 'không được để trống' : `phải có ít nhất ${num(p)} ký tự`),
  maxLength: (p) => `không được vượt quá ${num(p)} ký tự`,
  pattern: (p) => `không đúng định dạng (mẫu ${String(p['pattern'])})`,
  format: (p) => `không đúng định dạng ${String(p['format'])}`,
  minimum: (p) => `phải lớn hơn hoặc bằng ${num(p)}`,
  maximum: (p) => `phải nhỏ hơn hoặc bằng ${num(p)}`,
  exclusiveMinimum: (p) => `phải lớn hơn ${num(p)}`,
  exclusiveMaximum: (p) => `phải nhỏ hơn ${num(p)}`,
  multipleOf: (p) => `phải là bội số của ${String(p['multipleOf'])}`,
  minItems: (p) => `phải có ít nhất ${num(p)} phần tử`,
  maxItems: (p) => `không được vượt quá ${num(p)} phần tử`,
  uniqueItems: () => 'không được có phần tử trùng nhau',
  minProperties: (p) => `phải có ít nhất ${num(p)} trường thông tin`,
  maxProperties: (p) => `không được vượt quá ${num(p)} trường thông tin`,
  additionalProperties: (p) => `có trường thông tin không được hỗ trợ: ${String(p['additionalProperty'])}`,
  dependentRequired: (p) => `phải có ${String(p['missingProperty'])} khi có ${String(p['property'])}`,
  dependencies: (p) => `phải có ${String(p['missingProperty'])} khi có ${String(p['property'])}`,
  anyOf: () => 'không khớp với dạng dữ liệu nào được chấp nhận',
  oneOf: () => 'phải khớp với đúng một dạng dữ liệu được chấp nhận',
  not: () => 'không hợp lệ',
  if: () => 'không thỏa mãn điều kiện của trường này',
  contains: () => 'không có phần tử nào hợp lệ',
  propertyNames: (p) => `có tên trường không hợp lệ: ${String(p['propertyName'])}`,
  additionalItems: (p) => `không được vượt quá ${num(p)} phần tử`,
  unevaluatedProperties: (p) => `có trường thông tin không được hỗ trợ: ${String(p['unevaluatedProperty'])}`,
  unevaluatedItems: (p) => `không được vượt quá ${num(p)} phần tử`,
  discriminator: () => 'không khớp với loại dữ liệu nào được chấp nhận',
  'false schema': () => 'không được phép có',
};

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Params;
  message?: string;
}

/** One ajv error in `lang`; `onUntranslated` hears a keyword this table lacks (the caller logs it). */
export function schemaProblem(v: SchemaError, lang: Lang, onUntranslated?: (keyword: string) => void): string {
  const missing = v.keyword === 'required';
  if (lang === 'en') return missing ? 'is required' : (v.message ?? v.keyword);
  const vi = SCHEMA_KEYWORDS_VI[v.keyword];
  if (vi) return vi(v.params);
  onUntranslated?.(v.keyword);
  return 'không hợp lệ';
}

/** All of a fastify validation error's problems; `field` is the dotted path (or the part name). */
export function schemaProblems(e: FastifyError, lang: Lang, onUntranslated?: (keyword: string) => void): FieldProblem[] {
  const where = e.validationContext ?? 'body';
  return (e.validation ?? []).map((v) => {
    const missing = v.keyword === 'required' ? String((v.params as { missingProperty?: string }).missingProperty ?? '') : '';
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const field = [path, missing].filter(Boolean).join('.') || where;
    return { field, problem: schemaProblem({ keyword: v.keyword, instancePath: v.instancePath, params: v.params as Params, ...(v.message !== undefined && { message: v.message }) }, lang, onUntranslated) };
  });
}
