import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import { deriveDocumentId, documentTypeById, newRecipientStatus, nfc, type DocumentMetadata } from '../domain/index.js';
import { buildEdocFile } from '../edxml/index.js';
import { signPdf, verifyPdf } from '../signing/pdf/index.js';
import { workDir } from '../relay/status-packages.js';
import { C, orderKey, type IdempotencyRecord, type OrganRecord, type OutboxEntry, type OutgoingRecord, type StoredFile } from './records.js';
import { nowOf, orgCertificate, type DocumentsDeps } from './context.js';
import { buildEdocHeader } from './edoc-package.js';
import { signPackageEnvelope } from './envelope-signature.js';
import { checkFiles, checkMetadata, checkPriorSignature, checkRecipientsKnown, submissionHash } from './submit-checks.js';
import type { SubmitInput, UploadedFile } from './types.js';

/**
 * Submitting an outgoing document (ARCHITECTURE.md "How an outgoing document flows"):
 *   checks (nothing stored yet) → original stored (fsync) → PAdES with the HSM → signed file
 *   stored → edXML package built (stable package id) and stored → ONE transaction: the record
 *   (`queued`), its outbox entry, the idempotency key, the audit entries → resolve (the HTTP layer
 *   answers 201 only now) → events.
 * Blobs written before a failure are harmless (content-addressed, unreferenced).
 */
const inFlight = new Map<string, Promise<unknown>>();

/** Submissions of one DocumentId run one at a time, so the duplicate check cannot race. */
async function serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = inFlight.get(key) ?? Promise.resolve();
  const run = prev.catch(() => undefined).then(fn);
  inFlight.set(key, run);
  try {
    return await run;
  } finally {
    if (inFlight.get(key) === run) inFlight.delete(key);
  }
}

function findOutgoingByDocumentId(deps: DocumentsDeps, documentId: string): OutgoingRecord | undefined {
  for (const v of deps.store.activeValues(C.outgoing)) {
    if ((v as OutgoingRecord).documentId === documentId) return v as OutgoingRecord;
  }
  return undefined;
}

export async function submitDocument(deps: DocumentsDeps, input: SubmitInput): Promise<OutgoingRecord> {
  const metadata = await checkMetadata(input.metadata, [input.file, ...input.attachments]);
  checkRecipientsKnown(deps.store, metadata.recipients);
  await checkFiles(deps, input.file, input.attachments);
  const documentId = deriveDocumentId({ organId: deps.config.organ.id, promulgationDate: metadata.promulgationDate, number: metadata.number, notation: metadata.notation });
  return serialised(documentId, async () => {
    const bodyHash = await submissionHash(metadata, input.file, input.attachments);
    const existing = duplicateOf(deps, documentId, input.idempotencyKey, bodyHash);
    if (existing) return existing;
    if (deps.token.state() !== 'ready') throw new AppError('HSM_UNAVAILABLE', 'the signing token is not available', { state: deps.token.state() });
    const orgCert = await orgCertificate(deps);
    await checkPriorSignature(deps, input.file.path, orgCert);
    return store(deps, input, metadata, documentId, bodyHash, orgCert);
  });
}

/** The first result for a repeated request, or CONFLICT. */
function duplicateOf(deps: DocumentsDeps, documentId: string, key: string | undefined, bodyHash: string): OutgoingRecord | undefined {
  if (key !== undefined) {
    const idem = deps.store.activeGet(C.idempotency, key) as IdempotencyRecord | undefined;
    if (idem) {
      if (idem.bodyHash !== bodyHash) throw new AppError('CONFLICT', 'this Idempotency-Key was used with a different request', { idempotencyKey: true });
      const first = deps.store.activeGet(C.outgoing, idem.recordId) as OutgoingRecord | undefined;
      if (first) return first;
    }
  }
  const dup = findOutgoingByDocumentId(deps, documentId);
  if (dup) throw new AppError('CONFLICT', `a document with DocumentId ${documentId} was already submitted`, { documentId, id: dup.id });
  return undefined;
}

/**
 * Stores a file as a blob and notes it in `newBlobs` when this submission created it, so a failed
 * submission can remove it again (nothing stored half-way). `upload` carries the hash computed
 * while the upload streamed: a blob that already existed may belong to another document and stays;
 * without a hash we cannot tell, so it stays too. Files made by this submission (signed copy) are new.
 */
async function putFile(
  deps: DocumentsDeps,
  p: string,
  name: string,
  contentType: string,
  newBlobs: string[],
  upload?: { sha256?: string | undefined },
): Promise<StoredFile> {
  const isNew = upload === undefined ? true : upload.sha256 !== undefined && !(await deps.store.blobs.has(upload.sha256));
  const ref = await deps.store.blobs.put(createReadStream(p));
  if (isNew) newBlobs.push(ref.sha256);
  return { name: nfc(name), contentType, size: ref.size, sha256: ref.sha256 };
}

async function store(
  deps: DocumentsDeps,
  input: SubmitInput,
  metadata: DocumentMetadata,
  documentId: string,
  bodyHash: string,
  orgCert: Uint8Array | undefined,
): Promise<OutgoingRecord> {
  const { store: st, config } = deps;
  const sizes = [input.file, ...input.attachments].reduce((n, f) => n + f.size, 0);
  // Original + signed copy + the package (base64: +33 %) must fit, with the store's reserve.
  await st.space.assertSpaceFor(Math.ceil(sizes * 3.5));
  const id = `out-${randomUUID()}`;
  const packageId = randomUUID();
  const created = nowOf(deps);
  const work = path.join(await workDir(st), id);
  const signedPath = `${work}.signed.pdf`;
  const packagePath = `${work}.edxml`;
  const newBlobs: string[] = [];
  let committed = false;
  try {
    const original = await putFile(deps, input.file.path, input.file.filename || 'document.pdf', 'application/pdf', newBlobs, input.file);
    const attachments: StoredFile[] = [];
    for (const a of input.attachments) attachments.push(await putFile(deps, a.path, a.filename || 'attachment', a.contentType || 'application/octet-stream', newBlobs, a));

    // From the stored original (an upload temp file could be removed by the transport meanwhile).
    const sig = await signPdf({ input: st.blobs.path(original.sha256), output: signedPath, token: deps.token, signingTime: created, reason: `${metadata.number}/${metadata.notation}` });
    const signed = await putFile(deps, signedPath, signedName(original.name), 'application/pdf', newBlobs);
    const signatures = await verifyPdf(signedPath, deps.trust, orgCert ? { orgCert } : {});

    const header = buildEdocHeader({
      metadata,
      documentId,
      organ: config.organ,
      recipientNames: recipientNames(deps, metadata.recipients),
      paperlessTypes: config.relay.paperlessTypes,
      createdAt: created,
    });
    await buildEdocFile(
      {
        packageId,
        header,
        attachments: [
          { name: signed.name, contentType: 'application/pdf', source: { path: st.blobs.path(signed.sha256) } },
          ...attachments.map((a) => ({ name: a.name, contentType: a.contentType, source: { path: st.blobs.path(a.sha256) } })),
        ],
      },
      packagePath,
    );
    let pkgFile = packagePath;
    if (config.signing.signEnvelope) {
      pkgFile = `${packagePath}.signed`;
      await signPackageEnvelope(packagePath, pkgFile, deps.token);
    }
    const pkgRef = await st.blobs.put(createReadStream(pkgFile));
    newBlobs.push(pkgRef.sha256);
    const at = created.toISOString();
    const record: OutgoingRecord = {
      id,
      direction: 'outgoing',
      documentId,
      state: 'queued',
      metadata,
      typeName: documentTypeById(metadata.type)?.name ?? metadata.type,
      from: { organId: config.organ.id, name: config.organ.name },
      recipients: metadata.recipients.map((r) => ({ ...newRecipientStatus(r), statusAt: null })),
      file: signed,
      original,
      attachments,
      edxml: { name: `${packageId}.edxml`, contentType: 'application/xml', size: pkgRef.size, sha256: pkgRef.sha256, packageId },
      signatures,
      relay: { attempts: 0, nextAttemptAt: at, lastError: null, queuedAt: at, sentAt: null },
      history: [
        { at, event: 'signed', by: input.actor.name, description: sig.signatureId },
        { at, event: 'queued', by: input.actor.name },
      ],
      createdAt: at,
      updatedAt: at,
      ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
    };
    const entry: OutboxEntry = {
      id: `ob-${packageId}`,
      messageType: 'edoc',
      recordId: id,
      recordCollection: 'outgoing',
      documentId,
      priority: metadata.priority,
      packageId,
      blob: pkgRef.sha256,
      size: pkgRef.size,
      from: config.organ.id,
      to: metadata.recipients,
      attempts: 0,
      nextAttemptAt: at,
      lastError: null,
      createdAt: at,
      order: orderKey(created),
    };
    await st.transaction((tx) => {
      // Checked again inside the single writer: the last word on duplicates.
      if (findOutgoingByDocumentId(deps, documentId)) throw new AppError('CONFLICT', `a document with DocumentId ${documentId} was already submitted`, { documentId });
      tx.collection<OutgoingRecord>(C.outgoing).insert(record);
      tx.collection<OutboxEntry>(C.outbox).insert(entry);
      if (input.idempotencyKey !== undefined) {
        tx.collection<IdempotencyRecord>(C.idempotency).put({ id: input.idempotencyKey, bodyHash, recordId: id, at });
      }
      const actor = `${input.actor.kind}:${input.actor.name}`;
      tx.audit({ event: 'signed', actor, subject: documentId, data: { record: id, signatureId: sig.signatureId, original: original.sha256, signed: signed.sha256 } });
      tx.audit({ event: 'queued', actor, subject: documentId, data: { record: id, packageId, package: pkgRef.sha256, to: metadata.recipients, priority: metadata.priority } });
    });
    committed = true;
    deps.bus.publish('document.signed', { id, documentId });
    deps.bus.publish('outgoing.queued', { id, documentId, priority: metadata.priority });
    deps.onQueued?.();
    return record;
  } finally {
    if (!committed) for (const sha of newBlobs) await st.blobs.delete(sha).catch(() => undefined);
    await rm(signedPath, { force: true });
    await rm(packagePath, { force: true });
    await rm(`${packagePath}.signed`, { force: true });
  }
}

function signedName(name: string): string {
  return name.toLowerCase().endsWith('.pdf') ? `${name.slice(0, -4)}.signed.pdf` : `${name}.signed.pdf`;
}

function recipientNames(deps: DocumentsDeps, ids: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of ids) {
    const o = deps.store.activeGet(C.organs, id) as OrganRecord | undefined;
    if (o) out.set(id, o.name);
  }
  return out;
}

/** Size of an upload on disk (transports may not know it). */
export async function uploadSize(f: UploadedFile): Promise<number> {
  return f.size > 0 ? f.size : (await stat(f.path)).size;
}
