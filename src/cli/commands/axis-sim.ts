import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { loadAgencies } from '../../axis-sim/agencies.js';
import { startAxisSim } from '../../axis-sim/server.js';
import { splitListen } from '../../config/listen.js';
import { EXIT } from '../../errors.js';
import { createLogger } from '../../log/logger.js';
import { parse, required, UsageError } from '../args.js';
import type { CliIo } from '../io.js';

const HELP = `usage: edoc-gateway axis-sim --listen HOST:PORT --state DIR --agencies FILE

Runs the VPCP axis simulator until SIGINT/SIGTERM.
  --listen HOST:PORT   where to listen (use a loopback address; port 0 picks a free one)
  --state DIR          durable queues and packages (created if missing; survives restarts)
  --agencies FILE      JSON array [{"id","name","secret"}]; secret = the shared key (base64 text)

Admin: GET /_sim/stats, GET|POST /_sim/faults, POST /_sim/inject?to=&from=&messagetype=`;

export async function axisSimCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { listen: { type: 'string' }, state: { type: 'string' }, agencies: { type: 'string' } });
  if (values.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const listen = splitListen(required(values.listen, 'listen'));
  if (!listen) throw new UsageError('--listen must be HOST:PORT');
  const stateDir = required(values.state, 'state');
  let agencies;
  try {
    agencies = await loadAgencies(required(values.agencies, 'agencies'));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    io.err(`axis-sim: cannot use the agencies file: ${(e as Error).message}`);
    return EXIT.CONFIG;
  }
  await mkdir(stateDir, { recursive: true });
  const logger = createLogger({ level: 'info', destination: process.stderr });
  const sim = await startAxisSim({ listen, stateDir, agencies, logger });
  if (io.json) io.out(JSON.stringify({ url: sim.url, agencies: agencies.map((a) => a.id) }));
  else io.out(`axis simulator on ${sim.url} (${agencies.length} agencies, state in ${stateDir})`);
  const signal = await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  logger.info({ signal }, 'stopping');
  await sim.close();
  return EXIT.OK;
}
