/**
 * Typed shapes of edXML packages (QCVN 102:2016, domain.md §4), shared by the builder and the
 * parser so that `parse(build(x))` gives `x` back.
 *
 * Dates travel as `yyyy/MM/dd` and timestamps as `yyyy/MM/dd HH:mm:ss` with no zone (Vietnam wall
 * clock). In TypeScript they are kept zone-less too, in ISO form: `LocalDate` = `YYYY-MM-DD`,
 * `LocalDateTime` = `YYYY-MM-DDTHH:mm:ss`. Converting to an instant is the caller's decision.
 */
export type LocalDate = string;
export type LocalDateTime = string;

/** `From` / `To` / status `From`: an agency. Only OrganId is required on the wire. */
export interface Organization {
  organId: string;
  organizationInCharge?: string;
  organName?: string;
  organAdd?: string;
  email?: string;
  telephone?: string;
  fax?: string;
  website?: string;
}

export interface ResponseFor {
  organId: string;
  /** Number/notation as one string, e.g. `12/QĐ-UBND`. */
  code: string;
  promulgationDate: LocalDate;
  documentId: string;
}

export interface StaffInfo {
  department?: string;
  staff?: string;
  email?: string;
  mobile?: string;
}

export interface TraceHeader {
  /** Absent in some real packages (a hop that did not say who it was). */
  organId?: string;
  timestamp: LocalDateTime;
}

/** 0 new, 1 recall, 2 update, 3 replace. */
export type BusinessDocType = 0 | 1 | 2 | 3;

/** `TraceHeaderList/Bussiness` (two s's on the wire). */
export interface Business {
  businessDocType: BusinessDocType;
  businessDocReason?: string;
  /** 0 = no paper copy follows, 1 = a paper copy follows. */
  paper: 0 | 1;
  /** The DocumentId an update/replace/recall refers to, when the sender gives one. */
  documentId?: string;
  staffInfo?: StaffInfo;
}

export interface OtherInfo {
  /** 0 normal, 1 Khẩn, 2 Thượng khẩn, 3 Hỏa tốc, 4 Hỏa tốc hẹn giờ. */
  priority: number;
  sphereOfPromulgation?: string;
  typerNotation?: string;
  promulgationAmount?: number;
  pageAmount?: number;
  direction?: boolean;
  appendixes?: string[];
}

export interface EdocHeader {
  from: Organization;
  to: Organization[];
  /** `{senderOrganId},{yyyy/MM/dd},{number}/{notation}`. */
  documentId: string;
  code: { codeNumber: string; codeNotation: string };
  promulgation: { place: string; date: LocalDate };
  /** `type` differs between vendors: match incoming documents on `typeName`. */
  documentType: { type: number; typeName: string; typeDetail?: number };
  subject: string;
  content?: string;
  signer: { competence?: string; position?: string; fullName: string };
  dueDate?: LocalDate;
  toPlaces?: string[];
  otherInfo: OtherInfo;
  /** 1 not a directive, 2 directive, 3 report on a directive (0 seen in the wild). */
  steeringType?: number;
  responseFor?: ResponseFor[];
  traces?: TraceHeader[];
  business?: Business;
}

/** A file attached to an outgoing package. Paths are opened lazily; streams are read once. */
export interface AttachmentInput {
  /** Without the `cid:` prefix; derived from the package id when absent so rebuilds are identical. */
  contentId?: string;
  name: string;
  description?: string;
  contentType: string;
  source: { path: string } | { stream: NodeJS.ReadableStream };
}

export interface StatusHeader {
  from: Organization;
  responseFor: ResponseFor;
  /** Two digits, `01`..`16` (domain.md §4 table). */
  statusCode: string;
  description?: string;
  timestamp: LocalDateTime;
  staffInfo?: StaffInfo;
}

/** What the parser tells the caller's sink factory before an attachment's bytes arrive. */
export interface AttachmentMeta {
  /** 0-based position in the package. */
  index: number;
  /** Without `cid:`. */
  contentId?: string;
  name?: string;
  description?: string;
  contentType?: string;
}

export interface ParsedAttachment extends AttachmentMeta {
  /** Decoded size in bytes. */
  size: number;
  /** Lowercase hex SHA-256 of the decoded bytes. */
  sha256: string;
}

export interface ManifestReference {
  contentId?: string;
  contentType?: string;
  description?: string;
  attachmentName?: string;
}

/**
 * The envelope as it arrived, for the XMLDSig verifier (src/signing/xmldsig-verify.ts): the exact
 * characters of the `edXMLEnvelope` element and the namespace bindings in scope at it (usually
 * declared on the root), which a verifier needs to parse the fragment on its own.
 */
export interface RawEnvelope {
  xml: string;
  namespaces: Record<string, string>;
  hasSignature: boolean;
}

export interface ParsedEdoc {
  kind: 'edoc';
  header: EdocHeader;
  references: ManifestReference[];
  attachments: ParsedAttachment[];
  envelope: RawEnvelope;
}

export interface ParsedStatus {
  kind: 'status';
  header: StatusHeader;
  traces: TraceHeader[];
  envelope: RawEnvelope;
}

export type ParsedPackage = ParsedEdoc | ParsedStatus;
