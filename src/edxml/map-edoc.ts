import { EdxmlError } from './errors.js';
import type { AttachmentResult, XNode } from './stream-tree.js';
import { bool, child, children, date, defined, int, organization, required, responseFor, splitDocumentId, staffInfo, text, token, traces } from './tree-read.js';
import type { Business, BusinessDocType, EdocHeader, ManifestReference, OtherInfo, ParsedAttachment } from './types.js';

/**
 * Maps the header tree of an edoc package to `EdocHeader`. Required on receipt: From, at least
 * one To, DocumentId and Subject; the rest is filled liberally (code and date from the DocumentId
 * when the elements are missing; a non-numeric Type becomes 0 — match on TypeName anyway).
 */
export function mapEdocHeader(mh: XNode, traceList: XNode | undefined): EdocHeader {
  const documentId = required(token(mh, 'DocumentId'), 'MessageHeader/DocumentId');
  const fromId = splitDocumentId(documentId);
  const to = children(mh, 'To').map((t, i) => organization(t, `MessageHeader/To[${i}]`));
  if (to.length === 0) throw new EdxmlError('MISSING_FIELD', 'missing MessageHeader/To', 'MessageHeader/To');

  const code = child(mh, 'Code');
  const [num, ...notation] = (fromId?.code ?? '').split('/');
  const promulgation = child(mh, 'PromulgationInfo');
  const rawDate = token(promulgation, 'PromulgationDate');
  const promulgationDate = date(promulgation, 'PromulgationDate') ?? (rawDate === undefined ? fromId?.date ?? undefined : undefined);
  if (promulgationDate === undefined) {
    throw new EdxmlError(rawDate === undefined ? 'MISSING_FIELD' : 'INVALID_FIELD', 'PromulgationInfo/PromulgationDate is missing or not a date', 'PromulgationInfo/PromulgationDate');
  }
  const docType = child(mh, 'DocumentType');
  const signer = child(mh, 'SignerInfo');
  const places = child(mh, 'ToPlaces');
  const bizNode = child(traceList, 'Bussiness', 'Business');

  return defined({
    from: organization(child(mh, 'From'), 'MessageHeader/From'),
    to,
    documentId,
    code: { codeNumber: token(code, 'CodeNumber') ?? num ?? '', codeNotation: token(code, 'CodeNotation') ?? notation.join('/') },
    promulgation: { place: text(promulgation, 'Place') ?? '', date: promulgationDate },
    documentType: defined({ type: int(docType, 'Type') ?? 0, typeName: text(docType, 'TypeName') ?? '', typeDetail: int(docType, 'TypeDetail') }),
    subject: required(text(mh, 'Subject'), 'MessageHeader/Subject'),
    content: text(mh, 'Content'),
    signer: defined({ competence: text(signer, 'Competence'), position: text(signer, 'Position'), fullName: text(signer, 'FullName') ?? '' }),
    dueDate: date(mh, 'DueDate'),
    toPlaces: places ? children(places, 'Place').map((p) => p.text.normalize('NFC')) : undefined,
    otherInfo: otherInfo(child(mh, 'OtherInfo')),
    steeringType: int(mh, 'SteeringType'),
    responseFor: optionalList(children(mh, 'ResponseFor').map((r, i) => responseFor(r, `MessageHeader/ResponseFor[${i}]`))),
    traces: optionalList(traces(traceList)),
    business: bizNode ? business(bizNode) : undefined,
  });
}

function optionalList<T>(l: T[]): T[] | undefined {
  return l.length > 0 ? l : undefined;
}

function otherInfo(n: XNode | undefined): OtherInfo {
  const appendixes = child(n, 'Appendixes');
  const priority = int(n, 'Priority') ?? 0;
  return defined({
    // An unknown urgency is treated as the highest known one rather than dropped to normal.
    priority: priority < 0 ? 0 : Math.min(priority, 4),
    sphereOfPromulgation: text(n, 'SphereOfPromulgation'),
    typerNotation: text(n, 'TyperNotation'),
    promulgationAmount: int(n, 'PromulgationAmount'),
    pageAmount: int(n, 'PageAmount'),
    direction: bool(n, 'Direction'),
    appendixes: appendixes ? children(appendixes, 'Appendix').map((a) => a.text.normalize('NFC')) : undefined,
  });
}

function business(n: XNode): Business {
  const t = int(n, 'BussinessDocType', 'BusinessDocType') ?? 0;
  const paper = int(n, 'Paper');
  return defined({
    businessDocType: (t >= 0 && t <= 3 ? t : 0) as BusinessDocType,
    businessDocReason: text(n, 'BussinessDocReason', 'BusinessDocReason'),
    paper: paper === 1 ? 1 : 0,
    documentId: token(n, 'DocumentId'),
    staffInfo: staffInfo(child(n, 'StaffInfo')),
  });
}

export function mapReferences(body: XNode | undefined): ManifestReference[] {
  const manifest = child(body, 'edXMLManifest');
  return children(manifest, 'Reference').map((r) =>
    defined({
      contentId: token(r, 'ContentId')?.replace(/^cid:/i, ''),
      contentType: token(r, 'ContentType'),
      description: text(r, 'Description'),
      attachmentName: text(r, 'AttachmentName'),
    }),
  );
}

/**
 * Final attachment metadata: elements after the content count too, and a name or type missing on
 * the attachment is taken from the manifest Reference with the same ContentId.
 */
export function mapAttachments(found: AttachmentResult[], refs: ManifestReference[]): ParsedAttachment[] {
  return found.map((a) => {
    const contentId = token(a.node, 'ContentId')?.replace(/^cid:/i, '') ?? a.contentId;
    const ref = refs.find((r) => r.contentId !== undefined && r.contentId === contentId);
    return defined({
      index: a.index,
      contentId,
      name: text(a.node, 'AttachmentName') ?? a.name ?? ref?.attachmentName,
      description: text(a.node, 'Description') ?? a.description ?? ref?.description,
      contentType: token(a.node, 'ContentType') ?? a.contentType ?? ref?.contentType,
      size: a.size,
      sha256: a.sha256,
    });
  });
}
