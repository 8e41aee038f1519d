import { processIo, type CommandHandler } from './io.js';
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
  demo: { summary: 'the whole appliance on embedded defaults', load: async () => (await import('./commands/demo.js')).demoCommand },
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

export async function run(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const io = processIo(json);
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
