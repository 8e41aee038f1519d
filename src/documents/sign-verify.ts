import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { AppError } from '../errors.js';
import { signFile } from '../signing/sign-file.js';
import type { VerifyResult } from '../signing/types.js';
import { workDir } from '../relay/status-packages.js';
import { sha256File } from './submit-checks.js';
import { nowOf, orgCertificate, type DocumentsDeps } from './context.js';
import type { SignInput, SignedOutput, UploadedFile } from './types.js';

/**
 * `POST /api/v1/sign` and `/verify` as use cases over the signing module's dispatch (PDF → PAdES
 * incremental update, XML → enveloped XMLDSig, anything else → detached CAdES `.p7s`). For PDFs
 * the prior-signature policy applies here too: the organisation key seals only what a competent
 * person signed first (NĐ 30 Art. 32–33), whichever door the file comes through. Every signature
 * made is audited (who, which file hash, which signature id).
 */
export async function signUpload(deps: DocumentsDeps, input: SignInput): Promise<SignedOutput> {
  if (deps.token.state() !== 'ready') throw new AppError('HSM_UNAVAILABLE', 'the signing token is not available', { state: deps.token.state() });
  const common = {
    format: input.format,
    token: deps.token,
    policy: { requirePriorSignature: deps.config.signing.requirePriorSignature, trust: deps.trust },
    signingTime: nowOf(deps),
  };
  // A small upload the HTTP layer received in memory is signed there and the result sent from
  // memory: no temp file written and read back, no output file to write, fsync, stream and
  // delete (it is never kept, so syncing it bought nothing). Larger files go file to file with
  // flat memory.
  let out: { path: string } | { bytes: Uint8Array };
  let r: Awaited<ReturnType<typeof signFile>>;
  let sha256: string;
  if (input.file.path === undefined) {
    r = await signFile({ ...common, bytes: input.file.bytes });
    out = { bytes: r.bytes! };
    sha256 = input.file.sha256;
  } else {
    const output = path.join(await workDir(deps.store), `sign-${randomUUID()}`);
    r = await signFile({ ...common, path: input.file.path, output });
    out = { path: r.output ?? output };
    sha256 = input.file.sha256 ?? (await sha256File(input.file.path));
  }
  const base = (input.file.filename || 'file').normalize('NFC');
  const stem = base.replace(/\.(pdf|xml)$/i, '');
  const filename = r.suffix === '.p7s' ? `${base}.p7s` : `${stem}.signed${r.suffix}`;
  // Durable before the caller answers 2xx (the store group-commits concurrent entries).
  await deps.store.audit({
    event: 'signed-file',
    actor: `${input.actor.kind}:${input.actor.name}`,
    subject: base,
    data: { format: r.format, sha256, signatureId: r.signatureId },
  });
  return { ...out, contentType: r.contentType, filename, signatureId: r.signatureId };
}

export async function verifyUpload(deps: DocumentsDeps, file: UploadedFile, signature?: UploadedFile): Promise<VerifyResult> {
  const orgCert = await orgCertificate(deps);
  // verify-file pulls in xmldsigjs: loaded on the first verification, not at start-up.
  const { verifyFile } = await import('../signing/verify-file.js');
  return verifyFile({ file: file.path, ...(signature ? { signature: signature.path } : {}), trust: deps.trust, ...(orgCert ? { orgCert } : {}) });
}
