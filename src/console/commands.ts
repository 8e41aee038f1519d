import type { Logger } from 'pino';
import { isAppError } from '../errors.js';
import type { ConsoleDataSource, LogSource } from './port.js';
import * as r from './render.js';
import { fit } from './text.js';

export interface CommandDeps {
  source: ConsoleDataSource;
  ring: LogSource;
  logger: Logger;
  /** A data-source call slower than this answers "timed out" (the console stays usable). */
  timeoutMs: number;
  /** selftest signs with the HSM and reaches the axis: it gets longer. */
  selftestTimeoutMs: number;
}

const DEFAULT_N = 10;
/** `log 100000` must not turn into a megabyte burst on a 115200-baud line. */
const MAX_N = 100;

class Timeout extends Error {}

async function within<T>(ms: number, work: () => T | Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(work),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Timeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Parses the optional count of `queue`/`inbox`/`log`; null when it is not a usable number. */
function count(arg: string | undefined): number | null {
  if (arg === undefined) return DEFAULT_N;
  if (!/^\d{1,6}$/.test(arg)) return null;
  const n = Number(arg);
  return n >= 1 ? Math.min(n, MAX_N) : null;
}

/**
 * Runs one console line and returns the lines to print (no prompt, no line endings). Never
 * throws: a failing or hanging data source becomes a one-line error, and only AppError messages
 * (written for operators) are shown — anything else may carry internals, so it is logged instead.
 */
export async function runCommand(line: string, deps: CommandDeps): Promise<string[]> {
  const [word = '', arg, extra] = line.trim().split(/\s+/);
  const name = word.toLowerCase();
  if (name.length === 0) return [];
  const help = r.COMMANDS.find((c) => c.name === name);
  if (help === undefined) return r.renderUnknown(word);
  const takesCount = help.args === '[n]';
  const n = takesCount ? count(arg) : 0;
  if (n === null || extra !== undefined || (!takesCount && arg !== undefined)) {
    return [fit(`usage: ${help.name} ${help.args}`.trim() + (takesCount ? ` (n from 1 to ${MAX_N})` : ''))];
  }
  const { source, timeoutMs } = deps;
  try {
    switch (name) {
      case 'help':
        return r.renderHelp();
      case 'status':
        return r.renderStatus(await within(timeoutMs, () => source.status()));
      case 'queue':
        return r.renderQueue((await within(timeoutMs, () => source.queue(n))).slice(0, n));
      case 'inbox':
        return r.renderInbox((await within(timeoutMs, () => source.inbox(n))).slice(0, n));
      case 'hsm':
        return r.renderHsm(await within(timeoutMs, () => source.hsm()));
      case 'net':
        return r.renderNet(await within(timeoutMs, () => source.net()));
      case 'log':
        return r.renderLog(deps.ring.last(n));
      case 'selftest':
        return r.renderSelftest(await within(deps.selftestTimeoutMs, () => source.selftest()));
      case 'retry':
        source.retry();
        deps.logger.info('outbox woken from the technician console');
        return ['outbox worker woken'];
      case 'version':
        return r.renderVersion(await within(timeoutMs, () => source.versions()));
      default:
        return r.renderUnknown(word); // listed in COMMANDS but not handled: a bug, said plainly
    }
  } catch (e) {
    if (e instanceof Timeout) return r.renderError(name, 'timed out, try again later');
    if (isAppError(e)) return r.renderError(name, e.message);
    deps.logger.error({ err: e, command: name }, 'console command failed');
    return r.renderError(name, 'internal error (details in the log)');
  }
}
