import { parse, required } from '../args.js';
import type { CliIo } from '../io.js';
import { EXIT } from '../../errors.js';
import { COMMON_OPTIONS, invoker, withAdmin } from '../../admin/cli-common.js';

const HELP = `usage: edoc-gateway backup --out FILE [--config FILE | --state-dir DIR] [--json]

A consistent backup of the state directory (gzip'd tar, mode 0600) while the service runs: the
service takes the snapshot with writes paused for an instant and streams it over the admin
socket; this command writes FILE (whole or not at all). With the service stopped, the command
takes the state lock and backs up itself.`;

export async function backupCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { ...COMMON_OPTIONS, out: { type: 'string' } });
  if (values.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const out = required(values.out, 'out');
  const r = (await withAdmin(values, io, (t) => t.callToFile('backup', { by: invoker() }, out))) as { files: number; blobs: number; bytes: number; auditHead: { seq: number } };
  io.out(io.json ? JSON.stringify({ file: out, ...r }) : `backup written to ${out}: ${r.files} files (${r.blobs} blobs), ${r.bytes} bytes, audit entries up to #${r.auditHead.seq}`);
  return EXIT.OK;
}
