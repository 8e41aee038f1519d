import { readFileSync } from 'node:fs';
import { isAbsolute, resolve, dirname } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isEmbeddedAxis, type Config } from './schema.js';
import { validate as generatedValidate } from './validator.generated.js';
import { DEFAULTS, DEFAULT_CONFIG_PATH } from './defaults.js';
import { mergeConfig } from './merge.js';
import { applyEnvOverrides } from './env-overrides.js';
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
    throw new ConfigError(file, [`not valid JSON: ${(e as Error).message}`]);
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
  const problems = applyEnvOverrides(merged, opts.env ?? process.env).map((p) => `${p.variable}: ${p.problem}`);
  if (!validate(merged)) problems.push(...describeAjv(validate.errors ?? []));
  if (problems.length === 0) {
    const c = merged as unknown as Config;
    resolvePaths(c, opts.baseDir ?? process.cwd());
    problems.push(...semanticProblems(c));
    for (const check of opts.extraChecks ?? []) problems.push(...check(c));
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  return merged as unknown as Config;
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
      out.add(`${where}: does not match any allowed form`);
    } else if (e.keyword !== 'const' && e.keyword !== 'type' || !hasDeeper(errors, e)) {
      out.add(`${where}: ${e.message ?? e.keyword}`);
    }
  }
  return [...out];
}

function hasDeeper(errors: ErrorObject[], e: ErrorObject): boolean {
  return errors.some((o) => o !== e && o.instancePath === e.instancePath && o.keyword === 'anyOf');
}

function resolvePaths(c: Config, base: string): void {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  c.stateDir = abs(c.stateDir);
  c.hsm.pinFile = abs(c.hsm.pinFile);
  c.trust.anchors = abs(c.trust.anchors);
  if (typeof c.http.tls === 'object') c.http.tls = { cert: abs(c.http.tls.cert), key: abs(c.http.tls.key) };
  if (!isEmbeddedAxis(c.axis)) c.axis.secretFile = abs(c.axis.secretFile);
  for (const w of c.webhooks) w.secretFile = abs(w.secretFile);
  if (c.signing.sealImage) c.signing.sealImage = abs(c.signing.sealImage);
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
