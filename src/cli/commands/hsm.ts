import { parse, required, UsageError } from '../args.js';
import type { CliIo } from '../io.js';
import { loadConfig } from '../../config/load.js';
import { MECHANISMS, type Mechanism } from '../../config/schema.js';
import { EXIT } from '../../errors.js';
import { initDevToken } from '../../hsm/dev-token.js';
import { openToken } from '../../hsm/graphene-token.js';
import type { TokenInfo } from '../../hsm/port.js';
import { cliLogger } from './cli-logger.js';
import { withAdmin } from '../../admin/cli-common.js';
import { liveLockHolder } from '../../store/lock.js';

const HELP = `usage:
  edoc-gateway hsm init-dev --dir DIR [--label L] [--pin-file F] [--mechanism RSA-PKCS|RSA-PSS|ECDSA] [--json]
  edoc-gateway hsm info [--config FILE] [--json]

init-dev  creates a SoftHSM2 token under DIR (its own softhsm2.conf and token directory) with an
          organisation key generated inside the token (RSA-2048, or P-256 for ECDSA) and a
          certificate from a generated development CA. For development, tests and the demo only.
          Point SOFTHSM2_CONF at the printed softhsm2.conf to use it.
info      module, token, key, certificate, mechanisms and login state (never the PIN).
          While the service runs, its own token session answers (over the admin socket).
          Exit 0 when the token is ready, 69 when it is not.`;

export async function hsmCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.out(HELP);
    return sub === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (sub === 'init-dev') return initDev(rest, io);
  if (sub === 'info') return info(rest, io);
  throw new UsageError(`unknown hsm subcommand "${sub}"`);
}

async function initDev(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, {
    dir: { type: 'string' },
    label: { type: 'string' },
    'pin-file': { type: 'string' },
    mechanism: { type: 'string' },
  });
  if (values.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const mechanism = values.mechanism ?? 'RSA-PKCS';
  if (!(MECHANISMS as readonly string[]).includes(mechanism)) throw new UsageError(`--mechanism must be one of ${MECHANISMS.join(', ')}`);
  const r = await initDevToken({
    dir: required(values.dir, 'dir'),
    mechanism: mechanism as Mechanism,
    ...(values.label ? { label: values.label } : {}),
    ...(values['pin-file'] ? { pinFile: values['pin-file'] } : {}),
  });
  if (io.json) {
    io.out(JSON.stringify(r));
  } else {
    io.out(
      [
        `token "${r.tokenLabel}" created (${r.mechanism}), key "${r.keyLabel}" id ${r.keyId}`,
        `  softhsm2.conf  ${r.softhsm2Conf}`,
        `  module         ${r.module}`,
        `  PIN file       ${r.pinFile}  (mode 0600)`,
        `  certificate    ${r.cert}`,
        `  dev CA         ${r.caCert}  (trust anchors dir: ${r.trustDir})`,
        '',
        `export SOFTHSM2_CONF=${r.softhsm2Conf}`,
      ].join('\n'),
    );
  }
  return EXIT.OK;
}

export function formatTokenInfo(i: TokenInfo): string {
  const c = i.certificate;
  return [
    `state        ${i.state}${i.lastError ? ` (${i.lastError})` : ''}`,
    `module       ${i.module}`,
    `token        ${i.tokenLabel}`,
    `key          ${i.keyLabel}`,
    `mechanism    ${i.mechanism}`,
    `supported    ${i.mechanismsSupported.join(', ') || '(unknown)'}`,
    ...(c
      ? [`certificate  ${c.subject}`, `  issuer     ${c.issuer}`, `  serial     ${c.serial}`, `  valid      ${c.notBefore} → ${c.notAfter}`]
      : ['certificate  (not read)']),
  ].join('\n');
}

async function info(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string' } });
  if (values.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const { config } = loadConfig({ file: values.config, env: io.env });
  const show = (i: TokenInfo): number => {
    io.out(io.json ? JSON.stringify(i) : formatTokenInfo(i));
    return i.state === 'ready' ? EXIT.OK : EXIT.UNAVAILABLE;
  };
  // While the service runs, ask it: what matters is its session and login, and a second login
  // from here would need the PIN, which only the service's unit receives (LoadCredential=).
  if (await liveLockHolder(config.stateDir)) {
    return show((await withAdmin({ config: values.config }, io, (t) => t.call('hsm.info'))) as TokenInfo);
  }
  const token = await openToken(config.hsm, { logger: cliLogger(config.log.level), probeIntervalMs: 0 });
  try {
    return show(await token.info());
  } finally {
    await token.close();
  }
}
