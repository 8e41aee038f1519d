import { randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import { isAppError } from '../errors.js';
import { findDocumentTypeByName, mayDenoteSameAgency } from '../domain/index.js';
import type { ParsedEdoc } from '../edxml/index.js';
import { verifyPdf } from '../signing/pdf/index.js';
import type { TrustStore, VerifiedSignature } from '../signing/types.js';
import type { Store } from '../store/store.js';
import type { IncomingRecord, StoredFile } from '../documents/records.js';
import type { ReceivedPackage } from './inbox-receive.js';
import { verifyEnvelope } from '../documents/envelope-signature.js';

/**
 * Deciding about an incoming document (QĐ 28 Art. 9: the receiver checks integrity and
 * authenticity before accepting; a non-conforming or mis-addressed document is returned with a
 * reason). Every PDF in the package is verified (by label or by content); the decision is:
 * - refused, "mis-addressed", when no `To` denotes this office (its id, or the legacy/new alias);
 * - refused when any PDF signature is invalid (integrity) or its certificate does not chain to a
 *   trust anchor, or a PDF cannot be read;
 * - refused when a PDF carries no signature at all, or there is no PDF, unless `policy.acceptUnsigned`;
 * - refused when the package has no file at all (nothing to accept);
 * - accepted otherwise.
 */
export interface IncomingPolicy {
  organId: string;
  /** Other ids this office is known by (config aliases, when there are any). */
  aliases?: string[];
  acceptUnsigned: boolean;
}

export interface Decision {
  accept: boolean;
  reason: string | null;
  signatures: VerifiedSignature[];
}

export function isPdfAttachment(a: { contentType?: string; name?: string }): boolean {
  return /pdf/i.test(a.contentType ?? '') || /\.pdf$/i.test(a.name ?? '');
}

/**
 * Whether a received file is a PDF by its content: it starts with `%PDF-` (after whitespace at
 * most). Labels come from the sender, so a PDF sent as `application/octet-stream` without a
 * `.pdf` name must not escape verification. Not "anywhere in the first KiB" as lenient viewers
 * read it: a ZIP that stores a PDF uncompressed has `%PDF-` a few bytes in, and is not one.
 */
export async function looksLikePdf(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return /^\s*%PDF-/.test(buf.subarray(0, bytesRead).toString('latin1'));
  } finally {
    await fh.close();
  }
}

export function isAddressedTo(parsed: ParsedEdoc, policy: IncomingPolicy): boolean {
  const ours = [policy.organId, ...(policy.aliases ?? [])];
  return parsed.header.to.some((t) => ours.some((o) => mayDenoteSameAgency(t.organId, o)));
}

export async function decide(store: Store, rec: ReceivedPackage & { parsed: ParsedEdoc }, policy: IncomingPolicy, trust: TrustStore): Promise<Decision> {
  const signatures: VerifiedSignature[] = [];
  if (!isAddressedTo(rec.parsed, policy)) {
    return { accept: false, reason: `mis-addressed: not addressed to ${policy.organId}`, signatures };
  }
  const atts = rec.parsed.attachments;
  if (atts.length === 0) return { accept: false, reason: 'the package carries no file', signatures };
  const problems: string[] = [];
  if (rec.parsed.envelope.hasSignature) {
    // A bonus check: a broken envelope signature means the header was altered in transit.
    const env = await verifyEnvelope(rec.parsed.envelope, trust).catch(() => [] as VerifiedSignature[]);
    if (env.length === 0 || env.some((s) => s.integrity !== 'valid')) problems.push('the envelope signature is invalid (the header was altered)');
  }
  let pdfs = 0;
  for (const [i, a] of atts.entries()) {
    const blob = rec.attachmentBlobs[i];
    if (!blob) continue;
    const path = store.blobs.path(blob.sha256);
    if (!isPdfAttachment(a) && !(await looksLikePdf(path).catch(() => false))) continue;
    pdfs++;
    const label = a.name ?? `attachment ${i + 1}`;
    let sigs: VerifiedSignature[];
    try {
      sigs = await verifyPdf(path, trust);
    } catch (e) {
      problems.push(isAppError(e) && e.code === 'MALFORMED_PDF' ? `${label}: not a readable PDF` : `${label}: cannot be verified`);
      continue;
    }
    signatures.push(...sigs);
    if (sigs.length === 0) {
      if (!policy.acceptUnsigned) problems.push(`${label}: unsigned`);
      continue;
    }
    for (const s of sigs) {
      if (s.integrity !== 'valid') problems.push(`${label}: invalid signature (the content was altered or the signature forged)`);
      else if (!s.certificateTrusted) problems.push(`${label}: signature certificate is not trusted${s.signer ? ` (${s.signer.subject})` : ''}`);
    }
  }
  // Signatures live in PDFs: a package without any PDF carries none.
  if (pdfs === 0 && !policy.acceptUnsigned) problems.push('the package carries no signed PDF');
  if (problems.length > 0) return { accept: false, reason: [...new Set(problems)].join('; ').slice(0, 1000), signatures };
  return { accept: true, reason: null, signatures };
}

/** The incoming record for a received (accepted or refused) document. */
export function incomingRecord(rec: ReceivedPackage & { parsed: ParsedEdoc }, decision: Decision, axisDocId: string, at: string): IncomingRecord {
  const h = rec.parsed.header;
  const files: StoredFile[] = rec.parsed.attachments.map((a, i) => ({
    name: a.name ?? `attachment-${i + 1}`,
    contentType: a.contentType ?? 'application/octet-stream',
    size: a.size,
    sha256: rec.attachmentBlobs[i]?.sha256 ?? a.sha256,
  }));
  // The main file is the first PDF (the document itself); everything else is an attachment.
  const mainIndex = Math.max(0, rec.parsed.attachments.findIndex((a) => isPdfAttachment(a)));
  const file = files[mainIndex] ?? null;
  const type = findDocumentTypeByName(h.documentType.typeName);
  return {
    id: `in-${randomUUID()}`,
    direction: 'incoming',
    documentId: h.documentId,
    state: decision.accept ? 'arrived' : 'refused',
    type: type?.id ?? null,
    typeName: h.documentType.typeName,
    number: h.code.codeNumber,
    notation: h.code.codeNotation,
    subject: h.subject,
    priority: h.otherInfo.priority,
    promulgationDate: h.promulgation.date,
    from: { organId: h.from.organId, name: h.from.organName ?? h.from.organId },
    to: h.to.map((t) => t.organId),
    file,
    attachments: files.filter((_, i) => i !== mainIndex),
    edxml: { name: 'package.edxml', contentType: 'application/xml', size: rec.blob.size, sha256: rec.blob.sha256 },
    signatures: decision.signatures,
    axisDocId,
    reason: decision.reason,
    recallRequested: null,
    sentCodes: [],
    history: [
      { at, event: 'arrived', organId: h.from.organId },
      ...(decision.accept ? [] : [{ at, event: 'refused', statusCode: '02', by: 'system', description: decision.reason ?? '' }]),
    ],
    createdAt: at,
    updatedAt: at,
  };
}
