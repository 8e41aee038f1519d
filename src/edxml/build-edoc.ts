import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { Base64Encoder } from './base64.js';
import { toWireDate } from './dates.js';
import { EdxmlError } from './errors.js';
import { EDXML_NS, EDXML_PREFIX } from './namespace.js';
import { validateEdocHeader } from './validate.js';
import { XmlOut } from './xml-out.js';
import { writeOrganization, writeResponseFor, writeTraceHeaderList } from './xml-parts.js';
import type { AttachmentInput, EdocHeader } from './types.js';

/**
 * Builds an edoc package, streaming: the header is small, each attachment is read in chunks and
 * base64-encoded as it passes, so memory stays flat whatever the attachment size.
 *
 * The output is a pure function of the input (no clock, no random ids): the outbox builds once and
 * keeps the file, and even a rebuild from the same input gives byte-identical bytes, so the same
 * `hash-file` and the axis' duplicate suppression (invariant 6) hold across retries.
 */
export interface EdocPackageInput {
  /** Stable id of this package (e.g. a UUID): default attachment ContentIds derive from it. */
  packageId: string;
  header: EdocHeader;
  attachments: AttachmentInput[];
}

export interface BuildResult {
  bytes: number;
  /** Lowercase hex SHA-256 of the package bytes. */
  sha256: string;
  /** The ContentId (without `cid:`) given to each attachment, in input order. */
  contentIds: string[];
}

/** A UUID-shaped id derived from the package id, so rebuilding gives the same ContentId. */
export function derivedContentId(packageId: string, index: number): string {
  const h = createHash('sha256').update(`${packageId}\u0000${index}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Writes the package to `out` (which is not ended: the caller owns it). */
export async function buildEdoc(input: EdocPackageInput, out: Writable): Promise<BuildResult> {
  const h = input.header;
  validateEdocHeader(h);
  if (!input.packageId) throw new EdxmlError('INVALID_INPUT', 'packageId is required');
  const contentIds = input.attachments.map((a, i) => a.contentId?.replace(/^cid:/, '') ?? derivedContentId(input.packageId, i));

  const x = new XmlOut(out);
  x.raw(`<?xml version="1.0" encoding="UTF-8"?>\n<${EDXML_PREFIX}:edXML xmlns:${EDXML_PREFIX}="${EDXML_NS}">`);
  x.open('edXMLEnvelope');
  x.open('edXMLHeader');
  writeMessageHeader(x, h);
  writeTraceHeaderList(x, h.traces, h.business);
  x.close('edXMLHeader');
  x.open('edXMLBody');
  x.open('edXMLManifest', ' version="1.0"');
  input.attachments.forEach((a, i) => {
    x.open('Reference');
    x.leaf('ContentId', `cid:${contentIds[i]}`);
    x.leaf('ContentType', a.contentType);
    x.leaf('Description', a.description);
    x.leaf('AttachmentName', a.name);
    x.close('Reference');
  });
  x.close('edXMLManifest');
  x.close('edXMLBody');
  x.close('edXMLEnvelope');
  if (input.attachments.length > 0) {
    x.open('AttachmentEncoded');
    for (const [i, a] of input.attachments.entries()) {
      x.open('Attachment');
      x.leaf('ContentId', `cid:${contentIds[i]}`);
      x.leaf('AttachmentName', a.name);
      x.leaf('Description', a.description);
      x.leaf('ContentType', a.contentType);
      x.open('ContentTransferEncoded');
      await writeBase64(x, a);
      x.close('ContentTransferEncoded');
      x.close('Attachment');
    }
    x.close('AttachmentEncoded');
  }
  x.raw(`</${EDXML_PREFIX}:edXML>\n`);
  const { bytes, sha256 } = await x.finish();
  return { bytes, sha256, contentIds };
}

function writeMessageHeader(x: XmlOut, h: EdocHeader): void {
  x.open('MessageHeader');
  writeOrganization(x, 'From', h.from);
  for (const t of h.to) writeOrganization(x, 'To', t);
  x.leaf('DocumentId', h.documentId);
  x.open('Code');
  x.leaf('CodeNumber', h.code.codeNumber);
  x.leaf('CodeNotation', h.code.codeNotation);
  x.close('Code');
  x.open('PromulgationInfo');
  x.leaf('Place', h.promulgation.place);
  x.leaf('PromulgationDate', toWireDate(h.promulgation.date));
  x.close('PromulgationInfo');
  x.open('DocumentType');
  x.leaf('Type', h.documentType.type);
  x.leaf('TypeDetail', h.documentType.typeDetail);
  x.leaf('TypeName', h.documentType.typeName);
  x.close('DocumentType');
  x.leaf('Subject', h.subject);
  x.leaf('Content', h.content);
  x.open('SignerInfo');
  x.leaf('Competence', h.signer.competence);
  x.leaf('Position', h.signer.position);
  x.leaf('FullName', h.signer.fullName);
  x.close('SignerInfo');
  if (h.dueDate !== undefined) x.leaf('DueDate', toWireDate(h.dueDate));
  if (h.toPlaces && h.toPlaces.length > 0) {
    x.open('ToPlaces');
    for (const p of h.toPlaces) x.leaf('Place', p);
    x.close('ToPlaces');
  }
  const o = h.otherInfo;
  x.open('OtherInfo');
  x.leaf('Priority', o.priority);
  x.leaf('SphereOfPromulgation', o.sphereOfPromulgation);
  x.leaf('TyperNotation', o.typerNotation);
  x.leaf('PromulgationAmount', o.promulgationAmount);
  x.leaf('PageAmount', o.pageAmount);
  x.leaf('Direction', o.direction);
  if (o.appendixes && o.appendixes.length > 0) {
    x.open('Appendixes');
    for (const a of o.appendixes) x.leaf('Appendix', a);
    x.close('Appendixes');
  }
  x.close('OtherInfo');
  x.leaf('SteeringType', h.steeringType);
  for (const r of h.responseFor ?? []) writeResponseFor(x, r);
  x.close('MessageHeader');
}

async function writeBase64(x: XmlOut, a: AttachmentInput): Promise<void> {
  const source = 'path' in a.source ? createReadStream(a.source.path, { highWaterMark: 48 * 1024 }) : a.source.stream;
  const enc = new Base64Encoder();
  try {
    for await (const chunk of source as AsyncIterable<Buffer | string>) {
      x.raw(enc.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
      await x.flush();
    }
  } catch (e) {
    if (e instanceof EdxmlError) throw e;
    throw new EdxmlError('INVALID_INPUT', `cannot read attachment "${a.name}"`, 'attachments', { cause: e });
  }
  x.raw(enc.end());
}

/** Builds into a file and fsyncs it, so a caller may record it as durable. */
export async function buildEdocFile(input: EdocPackageInput, path: string): Promise<BuildResult> {
  return writeFileDurably(path, (out) => buildEdoc(input, out));
}

/**
 * Shared by the edoc and status builders: stream into `path`, then fsync before returning. A build
 * that fails (invalid input, an unreadable attachment) leaves no file behind, not even an empty
 * one, so nothing half-written can be taken for a package.
 */
export async function writeFileDurably<R>(path: string, write: (out: Writable) => Promise<R>): Promise<R> {
  const out = createWriteStream(path);
  let result: R;
  try {
    result = await write(out);
    out.end();
    await finished(out);
  } catch (e) {
    out.destroy();
    await finished(out).catch(() => undefined);
    await rm(path, { force: true });
    throw e;
  }
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  return result;
}
