import { createRequire } from 'node:module';

/**
 * Fastify's own schema compilers (ajv for requests, fast-json-stringify for responses), each
 * route's schema compiled on that route's first use instead of all of them before `listen`.
 *
 * Measured on the 2-core box: compiling every route's schemas at start was the largest single
 * block of `start.ready_ms` after module loading, and loading ajv and fast-json-stringify for it
 * the next one — for routes that an idle appliance may not see for hours. What a route validates
 * and how it serialises is unchanged; only the moment differs. The price is a few milliseconds on
 * the first request of each route (test/http exercises them, so a broken schema still fails the
 * tests rather than production).
 *
 * Both compilers are resolved from fastify's own installation: they are its dependencies, in the
 * versions it was released with.
 */
interface RouteSchema {
  schema: unknown;
  method?: string;
  url?: string;
  httpPart?: string;
  httpStatus?: string;
  contentType?: string;
}
type Validate = ((data: unknown) => unknown) & { errors?: unknown };
type Serialize = (data: unknown) => string;
type ValidatorCompiler = (route: RouteSchema) => Validate;
type SerializerCompiler = (route: RouteSchema) => Serialize;
type BuildValidator = (externalSchemas: unknown, options?: unknown) => ValidatorCompiler;
type BuildSerializer = (externalSchemas: unknown, options?: unknown) => SerializerCompiler;

const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
// One selector each for the whole process, as fastify keeps them: they cache compilers by schemas.
let validatorSelector: BuildValidator | null = null;
let serializerSelector: BuildSerializer | null = null;
const realValidatorBuilder = (): BuildValidator => (validatorSelector ??= (fromFastify('@fastify/ajv-compiler') as () => BuildValidator)());
const realSerializerBuilder = (): BuildSerializer =>
  (serializerSelector ??= (fromFastify('@fastify/fast-json-stringify-compiler') as { SerializerSelector: () => BuildSerializer }).SerializerSelector());

/**
 * fastify lower-cases the property names of a headers schema itself, but only for its default
 * compiler; a compilers factory counts as custom, so the same is done here.
 */
function lowerCaseHeaders(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const s = schema as { properties?: Record<string, unknown>; required?: unknown };
  const out: Record<string, unknown> = { ...s };
  if (s.properties) out['properties'] = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k.toLowerCase(), v]));
  if (Array.isArray(s.required)) out['required'] = s.required.map((k) => (typeof k === 'string' ? k.toLowerCase() : k));
  return out;
}

/** The `schemaController.compilersFactory` option of fastify. */
export function lazyCompilersFactory(): { buildValidator: BuildValidator; buildSerializer: BuildSerializer } {
  return {
    buildValidator: (externalSchemas, options) => {
      let compiler: ValidatorCompiler | null = null;
      return (route) => {
        let fn: Validate | null = null;
        const r = route.httpPart === 'headers' ? { ...route, schema: lowerCaseHeaders(route.schema) } : route;
        const validate: Validate = (data) => {
          fn ??= (compiler ??= realValidatorBuilder()(externalSchemas, options))(r);
          const result = fn(data);
          // fastify reads a failed validation's reasons from the function it called.
          validate.errors = fn.errors;
          return result;
        };
        return validate;
      };
    },
    buildSerializer: (externalSchemas, options) => {
      let compiler: SerializerCompiler | null = null;
      return (route) => {
        let fn: Serialize | null = null;
        return (data) => (fn ??= (compiler ??= realSerializerBuilder()(externalSchemas, options))(route))(data);
      };
    },
  };
}
