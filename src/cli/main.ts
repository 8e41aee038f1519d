import { processIo, type CliIo, type CommandHandler } from './io.js';
import { UsageError } from './args.js';
import { ConfigError } from '../config/load.js';
import { EXIT, isAppError } from '../errors.js';
import { VERSION } from '../version.js';

/**
 * `edoc-gateway <command>`: a dispatcher only. Each command group lives in its own module, loaded
 * on demand so that `--help` or `audit verify` never loads the PKCS#11 module or fastify.
 */
interface CommandEntry {
  summary: string;
  load: () => Promise<CommandHandler>;
}

const COMMANDS: Record<string, CommandEntry> = {
  serve: { summary: 'run the service (what systemd starts)', load: async () => (await import('./commands/serve.js')).serveCommand },
  'axis-sim': { summary: 'run the axis simulator on its own', load: async () => (await import('./commands/axis-sim.js')).axisSimCommand },
  audit: { summary: 'audit verify: check the audit hash chain', load: async () => (await import('./commands/audit.js')).auditCommand },
  demo: { summary: 'the whole appliance on embedded defaults', load: async () => (await import('./commands/demo.js')).demoCommand },
  user: { summary: 'user add|list|disable|passwd: staff accounts (password on stdin)', load: async () => (await import('./commands/user.js')).userCommand },
  apikey: { summary: 'apikey create|list|revoke: API keys for software', load: async () => (await import('./commands/apikey.js')).apikeyCommand },
  backup: { summary: 'backup --out FILE: consistent backup, also while the service runs', load: async () => (await import('./commands/backup.js')).backupCommand },
  restore: { summary: 'restore --in FILE: restore a backup (service stopped)', load: async () => (await import('./commands/restore.js')).restoreCommand },
  report: { summary: 'report --from D --to D: the pilot report', load: async () => (await import('./commands/report.js')).reportCommand },
  selftest: { summary: 'selftest: HSM, store, display and axis checks', load: async () => (await import('./commands/selftest.js')).selftestCommand },
  hsm: { summary: 'hsm init-dev | hsm info: dev token, token status', load: async () => (await import('./commands/hsm.js')).hsmCommand },
  sign: { summary: 'sign a file with the HSM key (PAdES, XMLDSig or CAdES)', load: async () => (await import('./commands/sign.js')).signCommand },
  verify: { summary: 'verify the signatures of a file; exit 0 valid, 1 not', load: async () => (await import('./commands/verify.js')).verifyCommand },
};

export function register(name: string, entry: CommandEntry): void {
  COMMANDS[name] = entry;
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    `edoc-gateway ${VERSION} — signing and relay appliance for the national document axis`,
    '',
    'usage: edoc-gateway <command> [options]   (every command has --help)',
    '',
    ...Object.entries(COMMANDS).map(([k, v]) => `  ${k.padEnd(width)}  ${v.summary}`),
    '',
    'common options: --config FILE (default $EDOC_GATEWAY_CONFIG, then /etc/edoc-gateway/config.json), --json',
    'exit codes: 0 ok, 1 checked thing is bad, 2 usage, 69 unavailable, 78 configuration invalid',
  ].join('\n');
}

/** `io` lets tests run a command in-process with their own stdin/stdout. */
export async function run(argv: string[], ioOverride?: CliIo): Promise<number> {
  const json = argv.includes('--json');
  const io = ioOverride ?? processIo(json);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (name === '--version' || name === 'version') {
    io.out(VERSION);
    return EXIT.OK;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.err(`unknown command: ${name}\n\n${usage()}`);
    return EXIT.USAGE;
  }
  try {
    const handler = await entry.load();
    return await handler(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${name}: ${e.message} (see edoc-gateway ${name} --help)`);
      return EXIT.USAGE;
    }
    if (e instanceof ConfigError) {
      io.err(e.message);
      return EXIT.CONFIG;
    }
    if (isAppError(e)) {
      io.err(`${name}: ${e.message}`);
      if (e.code === 'CONFIG_INVALID') return EXIT.CONFIG;
      if (e.code === 'HSM_UNAVAILABLE' || e.code === 'STATE_LOCKED' || e.code === 'STORAGE_FULL') return EXIT.UNAVAILABLE;
      return EXIT.BAD;
    }
    io.err(`${name}: unexpected error: ${(e as Error).message}`);
    return EXIT.UNAVAILABLE;
  }
}
