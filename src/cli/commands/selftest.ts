import { parse } from '../args.js';
import type { CliIo } from '../io.js';
import { EXIT } from '../../errors.js';
import { COMMON_OPTIONS, withAdmin } from '../../admin/cli-common.js';
import { formatSelftest, type SelftestLine } from '../../admin/selftest.js';

const HELP = `usage: edoc-gateway selftest [--config FILE | --state-dir DIR] [--json]

One line per check: HSM sign + verify, store write/read, display PING, axis reachability.
Exit 0 when nothing failed, 69 when a device or service is unavailable.`;

export async function selftestCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, COMMON_OPTIONS);
  if (values.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const lines = (await withAdmin(values, io, (t) => t.call('selftest'))) as SelftestLine[];
  io.out(io.json ? JSON.stringify(lines) : formatSelftest(lines));
  return lines.some((l) => l.result === 'fail') ? EXIT.UNAVAILABLE : EXIT.OK;
}
