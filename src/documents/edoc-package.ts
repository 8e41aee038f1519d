import { DOCUMENT_TYPE_IDS, documentTypeById, parseDocumentId, type DocumentMetadata } from '../domain/index.js';
import { localDateTimeOf, type EdocHeader, type ResponseFor } from '../edxml/index.js';

/**
 * The edXML header of an outgoing document, from validated metadata. Deterministic (the trace
 * timestamp is the record's creation time, not "now") so a rebuild gives the same package.
 */
export interface HeaderInput {
  metadata: DocumentMetadata;
  documentId: string;
  organ: { id: string; name: string };
  /** Names of the recipients from the directory, when known. */
  recipientNames?: ReadonlyMap<string, string>;
  /** `relay.paperlessTypes`: for these no paper copy follows (`Paper` 0). */
  paperlessTypes: readonly string[];
  createdAt: Date;
}

/**
 * The numeric `DocumentType/Type`. Vendors disagree (1, 18 and 71 were all seen for Công văn), so
 * receivers match on TypeName; we send the 1-based position in our catalogue, stable and unique.
 */
export function numericType(id: string): number {
  return (DOCUMENT_TYPE_IDS as readonly string[]).indexOf(id) + 1;
}

export function buildEdocHeader(input: HeaderInput): EdocHeader {
  const m = input.metadata;
  const type = documentTypeById(m.type);
  const header: EdocHeader = {
    from: { organId: input.organ.id, organName: input.organ.name },
    to: m.recipients.map((id) => {
      const name = input.recipientNames?.get(id);
      return name ? { organId: id, organName: name } : { organId: id };
    }),
    documentId: input.documentId,
    code: { codeNumber: m.number, codeNotation: m.notation },
    promulgation: { place: m.place ?? input.organ.name, date: m.promulgationDate },
    documentType: { type: numericType(m.type), typeName: type?.name ?? m.type },
    subject: m.subject,
    signer: {
      fullName: m.signer.fullName,
      ...(m.signer.competence ? { competence: m.signer.competence } : {}),
      ...(m.signer.position ? { position: m.signer.position } : {}),
    },
    otherInfo: {
      priority: m.priority,
      ...(m.promulgationAmount !== undefined ? { promulgationAmount: m.promulgationAmount } : {}),
      ...(m.pageAmount !== undefined ? { pageAmount: m.pageAmount } : {}),
    },
    traces: [{ organId: input.organ.id, timestamp: localDateTimeOf(input.createdAt) }],
    business: { businessDocType: 0, paper: input.paperlessTypes.includes(m.type) ? 0 : 1 },
  };
  if (m.content !== undefined) header.content = m.content;
  if (m.dueDate !== undefined) header.dueDate = m.dueDate;
  if (m.toPlaces !== undefined) header.toPlaces = m.toPlaces;
  if (m.steeringType !== undefined) header.steeringType = m.steeringType;
  const rf = responseForOf(m.responseFor);
  if (rf) header.responseFor = [rf];
  return header;
}

/** `responseFor` of the metadata carries only organ and DocumentId; the rest is in the id. */
function responseForOf(r: DocumentMetadata['responseFor']): ResponseFor | undefined {
  if (!r) return undefined;
  const p = parseDocumentId(r.documentId);
  if (!p.ok) return undefined;
  return { organId: r.organId, documentId: r.documentId, code: `${p.value.number}/${p.value.notation}`, promulgationDate: p.value.promulgationDate };
}
