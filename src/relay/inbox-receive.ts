import { PassThrough, type Writable } from 'node:stream';
import { EdxmlError, parseEdxmlFile, type ParsedPackage } from '../edxml/index.js';
import type { Store } from '../store/store.js';

/**
 * Receiving one package: its bytes are streamed from the axis into the blob store (bounded: a
 * package over the limit is cut off as soon as it passes it, never buffered), then parsed from
 * that file with every attachment decoded straight into a blob of its own. Nothing is held in
 * memory whole. On any failure the blobs written for this package are removed again.
 */
export interface ReceivedPackage {
  parsed: ParsedPackage;
  /** The package as received. */
  blob: { sha256: string; size: number };
  /** Blob of each attachment, in package order. */
  attachmentBlobs: { sha256: string; size: number }[];
  /** Blobs created for this package (so a refusal can delete what nothing refers to). */
  created: string[];
}

export interface ReceiveLimits {
  maxPackageBytes: number;
  maxAttachments: number;
}

async function* bounded(source: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const chunk of source) {
    n += chunk.length;
    if (n > max) throw new EdxmlError('TOO_LARGE', `the package is larger than ${max} bytes`);
    yield chunk;
  }
}

/** Stores the raw package; throws EdxmlError TOO_LARGE past the bound. */
export async function storePackage(store: Store, source: AsyncIterable<Uint8Array>, max: number): Promise<{ sha256: string; size: number }> {
  return store.blobs.put(bounded(source, max));
}

export async function parseStored(store: Store, pkg: { sha256: string; size: number }, limits: ReceiveLimits): Promise<ReceivedPackage> {
  const puts: Promise<{ sha256: string; size: number }>[] = [];
  const openAttachment = (): Writable => {
    const pass = new PassThrough();
    const p = store.blobs.put(pass);
    // Observed below; a parse failure destroys the sink and this rejection is expected.
    p.catch(() => undefined);
    puts.push(p);
    return pass;
  };
  let parsed: ParsedPackage;
  try {
    parsed = await parseEdxmlFile(store.blobs.path(pkg.sha256), {
      maxBytes: limits.maxPackageBytes,
      maxAttachments: limits.maxAttachments,
      openAttachment,
    });
  } catch (e) {
    const settled = await Promise.allSettled(puts);
    await removeBlobs(store, settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.sha256] : [])));
    throw e;
  }
  const attachmentBlobs = await Promise.all(puts);
  return { parsed, blob: pkg, attachmentBlobs, created: attachmentBlobs.map((b) => b.sha256) };
}

export async function removeBlobs(store: Store, shas: Iterable<string>): Promise<void> {
  for (const sha of new Set(shas)) {
    if (isReferenced(store, sha)) continue;
    await store.blobs.delete(sha).catch(() => false);
  }
}

/** Whether any active document record refers to a blob (content-addressed blobs are shared). */
export function isReferenced(store: Store, sha: string): boolean {
  for (const c of ['incoming', 'outgoing']) {
    for (const v of store.activeValues(c)) {
      type F = { sha256: string; removed?: boolean } | null | undefined;
      const r = v as { file?: F; original?: F; attachments?: F[]; edxml?: F };
      const uses = (f: F): boolean => !!f && f.sha256 === sha && f.removed !== true;
      if (uses(r.file) || uses(r.original) || uses(r.edxml) || (r.attachments ?? []).some(uses)) return true;
    }
  }
  for (const v of store.activeValues('outbox')) if ((v as { blob?: string }).blob === sha) return true;
  return false;
}
