import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { AppError } from '../errors.js';
import { mayDenoteSameAgency, validateMetadata, type DocumentMetadata } from '../domain/index.js';
import { inspectPdf, verifyPdf } from '../signing/pdf/index.js';
import { checkPriorSignature as checkPrior } from '../signing/prior-signature.js';
import type { Store } from '../store/store.js';
import { C, type OrganRecord } from './records.js';
import type { DocumentsDeps } from './context.js';
import type { UploadedFile } from './types.js';

/**
 * The checks of a submission that run before anything is stored, in the order the contract
 * implies: metadata (secret documents first: refused and the uploads deleted at once), recipients,
 * file type, attachment count, PDF readability, the prior-signature policy.
 */
export async function checkMetadata(metadata: unknown, uploads: UploadedFile[]): Promise<DocumentMetadata> {
  const r = validateMetadata(metadata);
  if (r.ok) return r.metadata;
  if (r.code === 'SECRET_DOCUMENT') {
    // Never keep a secret document, not even as an upload temp file (QĐ 28/2018).
    await Promise.all(uploads.map((u) => rm(u.path, { force: true })));
    throw new AppError('SECRET_DOCUMENT', 'secret documents must not be sent over the exchange', r.problems);
  }
  const message = r.code === 'UNKNOWN_RECIPIENT' ? 'a recipient is not a valid agency id' : 'the metadata is invalid';
  throw new AppError(r.code, message, r.problems);
}

/** When the directory has been synced, every recipient must be in it. */
export function checkRecipientsKnown(store: Store, recipients: string[]): void {
  if (store.activeCount(C.organs) === 0) return;
  const known: string[] = [];
  for (const v of store.activeValues(C.organs)) known.push((v as OrganRecord).id);
  const problems = recipients.flatMap((id, i) =>
    known.some((k) => mayDenoteSameAgency(k, id)) ? [] : [{ field: `recipients[${i}]`, problem: `${id} is not in the agency directory` }],
  );
  if (problems.length > 0) throw new AppError('UNKNOWN_RECIPIENT', 'a recipient is not in the agency directory', problems);
}

async function startsWithPdfMagic(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    // The header may follow a few garbage bytes (the PDF spec tolerates up to 1024).
    return buf.subarray(0, bytesRead).includes('%PDF-');
  } finally {
    await fh.close();
  }
}

export async function checkFiles(deps: DocumentsDeps, file: UploadedFile, attachments: UploadedFile[]): Promise<void> {
  if (!(await startsWithPdfMagic(file.path))) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'the main file must be a PDF', { field: 'file', contentType: file.contentType });
  }
  const max = deps.config.limits.maxAttachments;
  if (attachments.length > max) {
    throw new AppError('VALIDATION_FAILED', 'too many attachments', [{ field: 'attachments', problem: `at most ${max} attachments` }]);
  }
  await inspectPdf(file.path); // MALFORMED_PDF for encrypted or unreadable files
}

/**
 * NĐ 30 Art. 32–33: the clerk applies the organisation seal only to a document the competent
 * person has already signed (the signing module's policy: a valid, trusted signature by anyone
 * but the organisation key).
 */
export async function checkPriorSignature(deps: DocumentsDeps, path: string, orgCert: Uint8Array | undefined): Promise<void> {
  if (!deps.config.signing.requirePriorSignature) return;
  const sigs = await verifyPdf(path, deps.trust, orgCert ? { orgCert } : {});
  checkPrior(sigs, orgCert ?? null);
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** What makes two submissions "the same body" for the Idempotency-Key rule. */
export async function submissionHash(metadata: DocumentMetadata, file: UploadedFile, attachments: UploadedFile[]): Promise<string> {
  // Uploads arrive hashed (see http/uploads.ts); other callers' files are read here.
  const parts = [JSON.stringify(metadata), file.sha256 ?? (await sha256File(file.path))];
  for (const a of attachments) parts.push(`${a.filename}:${a.sha256 ?? (await sha256File(a.path))}`);
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}
