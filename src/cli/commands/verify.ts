import { parse, required } from '../args.js';
import type { CliIo } from '../io.js';
import { loadConfig } from '../../config/load.js';
import { EXIT } from '../../errors.js';
import { loadTrustStore } from '../../signing/certificates.js';
import type { VerifyResult } from '../../signing/types.js';
import { verifyFile } from '../../signing/verify-file.js';

const HELP = `usage: edoc-gateway verify --in F [--signature S] [--trust CA.pem|DIR] [--config FILE] [--json]

Verifies the signatures F carries (PDF, XML, attached CMS), or the detached signature S over F.
Trust anchors: --trust (a PEM/DER file or a directory), else the configuration's trust.anchors.
Exit 0 when there is at least one signature and all are intact and trusted, 1 otherwise.`;

export function formatVerifyResult(r: VerifyResult): string {
  const lines = [r.valid ? 'VALID' : 'NOT VALID', `${r.signatures.length} signature(s)`];
  r.signatures.forEach((s, i) => {
    lines.push(
      `#${i + 1} ${s.format}: integrity ${s.integrity}, certificate ${s.certificateTrusted ? 'trusted' : 'NOT trusted'}, ` +
        `covers whole document: ${s.coversWholeDocument ? 'yes' : 'no'}${s.modifiedAfter ? ', modified after signing' : ''}`,
    );
    if (s.signer) lines.push(`   signer  ${s.signer.subject}`, `   issuer  ${s.signer.issuer}`);
    if (s.signedAt) lines.push(`   signed  ${s.signedAt}`);
    for (const p of s.problems ?? []) lines.push(`   problem ${p}`);
  });
  return lines.join('\n');
}

export async function verifyCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { in: { type: 'string' }, signature: { type: 'string' }, trust: { type: 'string' }, config: { type: 'string' } });
  if (values.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const file = required(values.in, 'in');
  const anchors = values.trust ?? loadConfig({ file: values.config, env: io.env }).config.trust.anchors;
  const result = await verifyFile({ file, trust: await loadTrustStore(anchors), ...(values.signature ? { signature: values.signature } : {}) });
  io.out(io.json ? JSON.stringify(result) : formatVerifyResult(result));
  return result.valid ? EXIT.OK : EXIT.BAD;
}
