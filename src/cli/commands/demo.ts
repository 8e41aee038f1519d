import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from '../args.js';
import type { CliIo } from '../io.js';
import { checkConfig } from '../../config/load.js';
import { EXIT } from '../../errors.js';
import { startService } from '../../main.js';

const HELP = `usage: edoc-gateway demo [--dir DIR] [--port N]

Brings the appliance up on embedded defaults under ./var/demo (or DIR) and prints what to open.
Ctrl-C stops everything cleanly.`;

export async function demoCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { dir: { type: 'string' }, port: { type: 'string' } });
  if (values.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const dir = resolve(values.dir ?? 'var/demo');
  const port = Number(values.port ?? 8443);
  await mkdir(dir, { recursive: true });
  const config = checkConfig(
    {
      organ: { id: '000.46.24.H99', name: 'UBND xã Tiên Lương (demo)', abbreviation: 'UBND' },
      stateDir: resolve(dir, 'office-a/state'),
      http: { listen: `127.0.0.1:${port}`, tls: 'self-signed' },
      axis: { embedded: true },
      log: { level: 'info' },
    },
    { env: {}, baseDir: dir, source: 'demo defaults' },
  );
  const service = await startService(config, { env: io.env });
  io.out(`edoc-gateway demo is running\n  staff page and API: ${service.url}\n  health: ${service.url}/api/v1/health\nCtrl-C stops it.`);
  await service.stopped;
  return service.exitCode();
}
