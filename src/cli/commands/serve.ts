import { parse } from '../args.js';
import type { CliIo } from '../io.js';
import { loadConfig } from '../../config/load.js';
import { domainConfigChecks } from '../../config/domain-checks.js';
import { fileConfigChecks } from '../../config/file-checks.js';
import { EXIT } from '../../errors.js';

const HELP = `usage: edoc-gateway serve [--config FILE]

Runs the service: loads and validates the configuration (every problem is listed, exit 78), opens
the HSM, the state directory, the serial lines and the LAN endpoint, then relays until SIGTERM.`;

export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string' } });
  if (values.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  // Invalid configuration — including files it names that are missing — throws ConfigError before
  // anything is started (exit 78 in main.ts).
  const { config, file } = loadConfig({ file: values.config, env: io.env, extraChecks: [...domainConfigChecks, ...fileConfigChecks] });
  // The service's modules load only once the configuration is known to be good: a refused
  // configuration answers at once, without loading fastify, the PKCS#11 binding and the rest.
  const { startService } = await import('../../main.js');
  const service = await startService(config, { configFile: file, env: io.env });
  await service.stopped;
  return service.exitCode();
}
