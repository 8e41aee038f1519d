import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { buildStatusFile, localDateTimeOf } from '../edxml/index.js';
import type { Store } from '../store/store.js';
import type { Tx } from '../store/transaction.js';
import { C, orderKey, type OutboxEntry } from '../documents/records.js';

/**
 * Building status packages (01–16) and queueing them. A package is built into the work directory,
 * moved into the blob store (durable) and only then referenced by an outbox entry inside the
 * caller's transaction, so the entry never points at bytes that are not on disk.
 */
export interface StatusTarget {
  /** The record the status is about and its collection (for history after sending). */
  recordId: string;
  recordCollection: 'outgoing' | 'incoming';
  /** The original document: its sender, DocumentId, number/notation and date. */
  senderOrganId: string;
  documentId: string;
  code: string;
  promulgationDate: string;
  priority: number;
}

export interface StatusSpec {
  from: { organId: string; organName: string };
  to: string[];
  statusCode: string;
  description?: string;
  at: Date;
  staff?: string;
}

/** `<stateDir>/work`: temp files that may be large (packages) — not /tmp, often RAM on a Pi. */
export async function workDir(store: Store): Promise<string> {
  const dir = path.join(store.stateDir, 'work');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Removes leftovers of a previous run (never referenced: only blobs are). */
export async function cleanWorkDir(store: Store): Promise<void> {
  const dir = await workDir(store);
  for (const name of await readdir(dir)) await rm(path.join(dir, name), { recursive: true, force: true });
}

/** Builds the package and stores it as a blob; returns the outbox entry to stage. */
export async function prepareStatusEntry(store: Store, target: StatusTarget, spec: StatusSpec): Promise<OutboxEntry> {
  const packageId = randomUUID();
  const file = path.join(await workDir(store), `status-${packageId}.edxml`);
  try {
    await buildStatusFile(
      {
        header: {
          from: spec.from,
          responseFor: { organId: target.senderOrganId, code: target.code, promulgationDate: target.promulgationDate, documentId: target.documentId },
          statusCode: spec.statusCode,
          ...(spec.description ? { description: spec.description } : {}),
          timestamp: localDateTimeOf(spec.at),
          ...(spec.staff ? { staffInfo: { staff: spec.staff } } : {}),
        },
        traces: [{ organId: spec.from.organId, timestamp: localDateTimeOf(spec.at) }],
      },
      file,
    );
    const ref = await store.blobs.put(createReadStream(file));
    const at = spec.at.toISOString();
    return {
      id: `ob-${packageId}`,
      messageType: 'status',
      recordId: target.recordId,
      recordCollection: target.recordCollection,
      documentId: target.documentId,
      statusCode: spec.statusCode,
      priority: target.priority,
      packageId,
      blob: ref.sha256,
      size: ref.size,
      from: spec.from.organId,
      to: spec.to,
      attempts: 0,
      nextAttemptAt: at,
      lastError: null,
      createdAt: at,
      order: orderKey(spec.at),
    };
  } finally {
    await rm(file, { force: true });
  }
}

export function stageOutboxEntry(tx: Tx, entry: OutboxEntry): void {
  tx.collection<OutboxEntry>(C.outbox).insert(entry);
}
