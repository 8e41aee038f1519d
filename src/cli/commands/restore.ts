import { readdir, rename, rm } from 'node:fs/promises';
import { parse, required } from '../args.js';
import type { CliIo } from '../io.js';
import { AppError, EXIT } from '../../errors.js';
import { resolveState } from '../../admin/cli-common.js';
import { liveLockHolder, restoreBackup } from '../../store/index.js';

const HELP = `usage: edoc-gateway restore --in FILE [--force] [--config FILE | --state-dir DIR] [--json]

Restores a backup into the state directory. Refuses while the service runs (stop it first:
systemctl stop edoc-gateway). Refuses a non-empty state directory unless --force, which moves
the current one aside to <stateDir>.before-restore-<time> (kept, never deleted). The restored
audit chain is verified before the restore counts as done.`;

export async function restoreCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string' }, 'state-dir': { type: 'string' }, in: { type: 'string' }, force: { type: 'boolean' } });
  if (values.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const input = required(values.in, 'in');
  const { stateDir } = resolveState(values, io);
  const holder = await liveLockHolder(stateDir);
  if (holder) {
    throw new AppError('STATE_LOCKED', `the service (pid ${holder.pid}) is running on ${stateDir}: stop it before restoring; nothing was changed`);
  }
  const existing = await readdir(stateDir).catch(() => [] as string[]);
  let aside: string | null = null;
  if (existing.length > 0) {
    if (!values.force) throw new AppError('CONFLICT', `${stateDir} is not empty: use --force to move it aside and restore; nothing was changed`);
    aside = `${stateDir}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await rename(stateDir, aside);
  }
  try {
    const r = await restoreBackup(input, stateDir);
    io.out(io.json ? JSON.stringify({ stateDir, previous: aside, ...r }) : `restored ${r.files} files into ${stateDir} (audit chain verified up to #${r.auditHead.seq})${aside ? `; the previous state is in ${aside}` : ''}`);
    return EXIT.OK;
  } catch (e) {
    // Put the previous state back: a failed restore must not leave the appliance without one.
    if (aside) {
      await rm(stateDir, { recursive: true, force: true });
      await rename(aside, stateDir);
    }
    throw e;
  }
}
