import { existsSync } from 'node:fs';
import os from 'node:os';
import { pino } from 'pino';
import { isRole } from '../auth/roles.js';
import { parse, UsageError } from '../cli/args.js';
import type { CliIo } from '../cli/io.js';
import { configPath, loadConfig } from '../config/load.js';
import { domainConfigChecks } from '../config/domain-checks.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { openAdminTarget, type AdminTarget } from './target.js';

/** Options every admin command takes besides its own. */
export const COMMON_OPTIONS = {
  config: { type: 'string' },
  'state-dir': { type: 'string' },
} as const;

export interface CommonValues {
  config?: string | undefined;
  'state-dir'?: string | undefined;
}

/** Warnings to stderr only: stdout carries the command's answer (and `--json`). */
export function cliLogger(): Logger {
  return pino({ level: 'warn' }, pino.destination(2));
}

/**
 * The configuration (when there is one) and the state directory: `--state-dir` wins, else the
 * configuration's `stateDir`. Without `--state-dir`, a missing or invalid configuration is an error
 * (exit 78).
 */
export function resolveState(v: CommonValues, io: CliIo): { config: Config | null; stateDir: string } {
  // An empty variable counts as unset (systemd units and shells leave them empty).
  const env = { ...io.env };
  if (!env['EDOC_GATEWAY_CONFIG']) delete env['EDOC_GATEWAY_CONFIG'];
  const explicit = v.config !== undefined || env['EDOC_GATEWAY_CONFIG'] !== undefined;
  let config: Config | null = null;
  if (explicit || !v['state-dir'] || existsSync(configPath({ env }))) {
    config = loadConfig({ file: v.config, env, extraChecks: domainConfigChecks }).config;
  }
  const stateDir = v['state-dir'] ?? config?.stateDir;
  if (!stateDir) throw new UsageError('give --config FILE or --state-dir DIR');
  return { config, stateDir };
}

/** Runs `fn` against the running service or, when none runs, the state directory itself. */
export async function withAdmin<T>(v: CommonValues, io: CliIo, fn: (t: AdminTarget) => Promise<T>): Promise<T> {
  const { config, stateDir } = resolveState(v, io);
  const target = await openAdminTarget({ stateDir, config, env: io.env, logger: cliLogger() });
  if (target.mode === 'local' && !io.json) io.err('(no service running: working on the state directory directly, with its lock held)');
  try {
    return await fn(target);
  } finally {
    await target.close();
  }
}

/** `edoc-gateway user|apikey SUB [NAME] [--role R]`, parsed: the account commands share this shape. */
export interface AccountCommand {
  values: CommonValues & { role?: string | undefined };
  sub: string | undefined;
  name: string | undefined;
  /** Who runs the command, for the audit log. */
  by: string;
  /** The NAME, or a usage error saying which command needs it. */
  needName(): string;
  /** `--role`, or a usage error when it is missing or not a role. */
  needRole(): string;
}

/**
 * Parses an account command: the common options, `--role`, a subcommand and at most one NAME.
 * On `--help` it prints `help` and returns null: the caller exits 0.
 */
export function parseAccountCommand(group: string, argv: string[], help: string, io: CliIo): AccountCommand | null {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, role: { type: 'string' } }, true);
  if (values.help) {
    io.out(help);
    return null;
  }
  const [sub, name, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(' ')}`);
  return {
    values,
    sub,
    name,
    by: invoker(),
    needName: () => {
      if (!name) throw new UsageError(`${group} ${sub} needs a NAME`);
      return name;
    },
    needRole: () => {
      if (!values.role) throw new UsageError('missing --role viewer|clerk|admin');
      // A mistyped role is a usage error (exit 2), like any other bad option value.
      if (!isRole(values.role)) throw new UsageError(`unknown role "${values.role}": viewer, clerk or admin`);
      return values.role;
    },
  };
}

/** Who runs the command, for the audit log. */
export function invoker(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

/** A password from stdin: the first line, without its line ending. Never from argv. */
export async function readPassword(io: CliIo): Promise<string> {
  const text = await io.readStdin();
  const first = text.split(/\r?\n/)[0] ?? '';
  if (first === '') throw new UsageError('the password is read from standard input (e.g. printf "%s\\n" "$PW" | edoc-gateway user add …)');
  return first;
}

export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}
