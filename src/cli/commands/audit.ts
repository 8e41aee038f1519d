import { existsSync } from 'node:fs';
import { parse, UsageError } from '../args.js';
import type { CliIo } from '../io.js';
import { loadConfig } from '../../config/load.js';
import { EXIT } from '../../errors.js';
import { verifyAudit, formatAuditVerify } from '../../store/index.js';

const HELP = `usage: edoc-gateway audit verify [--config FILE | --state-dir DIR] [--json]

Checks the audit log's hash chain: every entry must follow the one before it and hash to its own
value. Exit 0 when intact, 1 naming the first broken entry. Safe while the service runs (the log is
append-only).`;

export async function auditCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, { config: { type: 'string' }, 'state-dir': { type: 'string' } }, true);
  if (values.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  if (positionals[0] !== 'verify' || positionals.length > 1) throw new UsageError('expected: audit verify');
  const stateDir = values['state-dir'] ?? loadConfig({ file: values.config, env: io.env }).config.stateDir;
  // A mistyped path must not read as "chain OK, 0 entries" (an empty but existing directory does:
  // a fresh install has no log yet).
  if (!existsSync(stateDir)) throw new UsageError(`no state directory at ${stateDir}`);
  const result = await verifyAudit(stateDir);
  io.out(io.json ? JSON.stringify(result) : formatAuditVerify(result));
  return result.ok ? EXIT.OK : EXIT.BAD;
}
