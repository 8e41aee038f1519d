import { readFileSync } from 'node:fs';
import { isAbsolute, resolve, dirname } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isEmbeddedAxis, type Config } from './schema.js';
import { validate as generatedValidate } from './validator.generated.js';
import { DEFAULTS, DEFAULT_CONFIG_PATH } from './defaults.js';
import { isPlainObject, mergeConfig } from './merge.js';
import { applyEnvOverrides, type AppliedOverride } from './env-overrides.js';
import { isLoopbackHost, splitListen } from './listen.js';

/** Every problem found in a configuration, reported together (never one at a time). */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`invalid configuration ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadOptions {
  /** Explicit `--config`; otherwise `$EDOC_GATEWAY_CONFIG`, then /etc/edoc-gateway/config.json. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Extra semantic checks that need the domain (document types) — kept out of config/ on purpose. */
  extraChecks?: ((c: Config) => string[])[];
}

export interface LoadedConfig {
  config: Config;
  file: string;
}

// Compiled ahead of time from schema-def.ts (validator-source.ts): no ajv, no TypeBox and no
// schema compilation on the start-up path.
const validate = generatedValidate as unknown as ValidateFunction<Config>;

export function configPath(opts: LoadOptions): string {
  const env = opts.env ?? process.env;
  return resolve(opts.file ?? env['EDOC_GATEWAY_CONFIG'] ?? DEFAULT_CONFIG_PATH);
}

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const file = configPath(opts);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [`cannot read the file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, [jsonSyntaxProblem(text, e)]);
  }
  return { config: checkConfig(parsed, { ...opts, baseDir: dirname(file), source: file }), file };
}

/** Validate an already-parsed object (used by the loader, the demo and tests). */
export function checkConfig(
  raw: unknown,
  opts: LoadOptions & { baseDir?: string; source?: string } = {},
): Config {
  const source = opts.source ?? '(object)';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(source, ['the top level must be a JSON object']);
  }
  const merged = mergeConfig(DEFAULTS, raw) as Record<string, unknown>;
  const applied: AppliedOverride[] = [];
  const problems = applyEnvOverrides(merged, opts.env ?? process.env, applied).map((p) => `${p.variable}: ${p.problem}`);
  if (!validate(merged)) problems.push(...describeAjv(validate.errors ?? []));
  // The semantic and extra checks run even when the schema found problems, so that one run lists
  // everything wrong (an operator fixing a file over SSH should not discover mistakes one start at
  // a time). Their input may then be mistyped: a check that trips over a value is skipped, and a
  // problem about a field the schema already named is not repeated.
  const c = merged as unknown as Config;
  resolvePaths(c, opts.baseDir ?? process.cwd());
  const named = problems.map(fieldOf);
  for (const check of [semanticProblems, ...(opts.extraChecks ?? [])]) {
    let found: string[];
    try {
      found = check(c);
    } catch {
      continue; // only a value of the wrong type gets here, and the schema has reported it
    }
    for (const p of found) {
      const f = fieldOf(p);
      if (!named.some((n) => f === n || f.startsWith(`${n}.`) || n.startsWith(`${f}.`))) problems.push(p);
    }
  }
  if (problems.length > 0) throw new ConfigError(source, problems.map((p) => withOverrideSource(p, applied)));
  return c;
}

/** `hsm.sessions: …` → `hsm.sessions (from EDOC_GATEWAY_HSM_SESSIONS): …` when the value came from the environment. */
function withOverrideSource(problem: string, applied: readonly AppliedOverride[]): string {
  const f = fieldOf(problem);
  const o = applied.find((a) => a.field === f);
  return o ? `${f} (from ${o.variable})${problem.slice(f.length)}` : problem;
}

/** The field a problem line is about: the text before its first ': '. */
function fieldOf(problem: string): string {
  const i = problem.indexOf(': ');
  return i < 0 ? problem : problem.slice(0, i);
}

/**
 * A JSON syntax error as line and column only. V8's own message can quote the text it choked on,
 * and `--config` pointed by mistake at a PIN or secret file must not print that secret to the
 * terminal or the journal.
 */
function jsonSyntaxProblem(text: string, e: unknown): string {
  const message = (e as Error).message;
  const m = /position (\d+)/.exec(message);
  const at = m ? Number(m[1]) : /end of JSON input/i.test(message) ? text.length : null;
  if (at === null) return 'not valid JSON';
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `not valid JSON (line ${line}, column ${column})`;
}

function describeAjv(errors: ErrorObject[]): string[] {
  const out = new Set<string>();
  for (const e of errors) {
    // Union branches produce one error per branch; the useful one is the first at the deepest path.
    const where = e.instancePath === '' ? '(top level)' : e.instancePath.slice(1).replace(/\//g, '.');
    if (e.keyword === 'additionalProperties') {
      out.add(`${where}: unknown field "${String((e.params as { additionalProperty: string }).additionalProperty)}"`);
    } else if (e.keyword === 'required') {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      out.add(`${where === '(top level)' ? missing : `${where}.${missing}`}: is required`);
    } else if (e.keyword === 'anyOf') {
      const allowed = literalChoices(errors, e);
      out.add(allowed ? `${where}: must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` : `${where}: does not match any allowed form`);
    } else if (e.keyword !== 'const' && e.keyword !== 'type' || !hasDeeper(errors, e)) {
      out.add(`${where}: ${e.message ?? e.keyword}`);
    }
  }
  return [...out];
}

/** When every branch of a failed anyOf is a literal (`hsm.mechanism`, `log.level`), the literals. */
function literalChoices(errors: ErrorObject[], anyOf: ErrorObject): unknown[] | null {
  const branches = new Set<string>();
  const literals = new Map<string, unknown>();
  for (const o of errors) {
    if (o.instancePath !== anyOf.instancePath || !o.schemaPath.startsWith(`${anyOf.schemaPath}/`)) continue;
    const branch = o.schemaPath.slice(anyOf.schemaPath.length + 1).split('/')[0] ?? '';
    branches.add(branch);
    if (o.keyword === 'const') literals.set(branch, (o.params as { allowedValue: unknown }).allowedValue);
  }
  return branches.size > 0 && literals.size === branches.size ? [...literals.values()] : null;
}

function hasDeeper(errors: ErrorObject[], e: ErrorObject): boolean {
  return errors.some((o) => o !== e && o.instancePath === e.instancePath && o.keyword === 'anyOf');
}

/**
 * Relative paths are relative to the config file. Runs on configurations the schema may have
 * refused (see checkConfig), so every step tolerates a missing section or a value of another type.
 */
function resolvePaths(c: Config, base: string): void {
  const abs = <T>(p: T): T => (typeof p === 'string' && p !== '' && !isAbsolute(p) ? (resolve(base, p) as T) : p);
  c.stateDir = abs(c.stateDir);
  if (isPlainObject(c.hsm)) c.hsm.pinFile = abs(c.hsm.pinFile);
  if (isPlainObject(c.trust)) c.trust.anchors = abs(c.trust.anchors);
  if (isPlainObject(c.http) && isPlainObject(c.http.tls)) c.http.tls = { ...c.http.tls, cert: abs(c.http.tls.cert), key: abs(c.http.tls.key) };
  if (isPlainObject(c.axis) && !isEmbeddedAxis(c.axis)) c.axis.secretFile = abs(c.axis.secretFile);
  if (Array.isArray(c.webhooks)) for (const w of c.webhooks) if (isPlainObject(w)) w.secretFile = abs(w.secretFile);
  if (isPlainObject(c.signing)) c.signing.sealImage = abs(c.signing.sealImage);
}

function semanticProblems(c: Config): string[] {
  const problems: string[] = [];
  const listen = splitListen(c.http.listen);
  if (!listen || listen.port < 1 || listen.port > 65535) {
    problems.push('http.listen: must be HOST:PORT with a port 1–65535');
  } else if (c.http.tls === false && !isLoopbackHost(listen.host)) {
    problems.push('http.tls: plain HTTP (false) is only allowed on a loopback listen address');
  }
  if (c.display && c.console && c.display.path === c.console.path) {
    problems.push('console.path: must differ from display.path');
  }
  return problems;
}
