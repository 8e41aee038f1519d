import { parse, required, UsageError } from '../args.js';
import type { CliIo } from '../io.js';
import { loadConfig } from '../../config/load.js';
import { EXIT } from '../../errors.js';
import { openToken } from '../../hsm/graphene-token.js';
import { loadTrustStore } from '../../signing/certificates.js';
import { signFile, type SignFormatChoice } from '../../signing/sign-file.js';
import { cliLogger } from './cli-logger.js';

const HELP = `usage: edoc-gateway sign --in F --out G [--format auto|pades|cades|xmldsig] [--config FILE] [--json]

Signs F with the configured HSM key, as POST /api/v1/sign does: a PDF gets the organisation
signature as an incremental update, XML an enveloped XMLDSig, anything else a detached CAdES
signature written to G (a .p7s). With signing.requirePriorSignature, a PDF needs a valid earlier
signature by someone else. Exit 69 when the HSM is not available.`;

const FORMATS = ['auto', 'pades', 'cades', 'xmldsig'];

export async function signCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { in: { type: 'string' }, out: { type: 'string' }, format: { type: 'string' }, config: { type: 'string' } });
  if (values.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const input = required(values.in, 'in');
  const output = required(values.out, 'out');
  const format = values.format ?? 'auto';
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  const { config } = loadConfig({ file: values.config, env: io.env });
  const token = await openToken(config.hsm, { logger: cliLogger(config.log.level), probeIntervalMs: 0 });
  try {
    const policy = config.signing.requirePriorSignature ? { requirePriorSignature: true, trust: await loadTrustStore(config.trust.anchors) } : undefined;
    const r = await signFile({ path: input, output, format: format as SignFormatChoice, token, ...(policy ? { policy } : {}) });
    io.out(io.json ? JSON.stringify({ format: r.format, output, contentType: r.contentType, signatureId: r.signatureId }) : `signed ${input} → ${output} (${r.format}, signature ${r.signatureId})`);
    return EXIT.OK;
  } finally {
    await token.close();
  }
}
