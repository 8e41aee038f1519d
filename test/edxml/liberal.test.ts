import t from 'tap';
import { readFile } from 'node:fs/promises';
import { parseEdxmlBuffer } from '../../src/edxml/parse.js';

const NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

// Another vendor's shape: other prefix, `Business` spelling, ISO and dd/MM/yyyy dates, `cid`
// without prefix, a non-numeric Type, decomposed (NFD) Vietnamese, an envelope XMLDSig, MIME-wrapped base64.
const VARIANT = `<?xml version="1.0" encoding="utf-8"?>
<q:edXML xmlns:q="${NS}" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
 <q:edXMLEnvelope>
  <q:edXMLHeader>
   <q:MessageHeader>
    <q:From><q:OrganId> 0101234567 </q:OrganId></q:From>
    <q:To><q:OrganId>02.29.W00</q:OrganId></q:To>
    <q:DocumentId>0101234567,2026-11-02,7/CV-CTY</q:DocumentId>
    <q:PromulgationInfo><q:Place>Hà Nội</q:Place><q:PromulgationDate>02/11/2026</q:PromulgationDate></q:PromulgationInfo>
    <q:DocumentType><q:Type>CV</q:Type><q:TypeName>${'Công văn'.normalize('NFD')}</q:TypeName></q:DocumentType>
    <q:Subject><![CDATA[Báo cáo <quý> & năm]]></q:Subject>
    <q:SignerInfo><q:FullName>Phạm D</q:FullName></q:SignerInfo>
    <q:OtherInfo><q:Priority>9</q:Priority></q:OtherInfo>
   </q:MessageHeader>
   <q:TraceHeaderList>
    <q:TraceHeader><q:OrganId>0101234567</q:OrganId><q:Timestamp>2026-11-02T08:01:02.123+07:00</q:Timestamp></q:TraceHeader>
    <q:TraceHeader><q:Timestamp>not a time</q:Timestamp></q:TraceHeader>
    <q:Business><q:BusinessDocType>2</q:BusinessDocType><q:Paper>1</q:Paper><q:BusinessDocReason>Sửa</q:BusinessDocReason></q:Business>
   </q:TraceHeaderList>
   <ds:Signature><ds:SignedInfo/><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>
  </q:edXMLHeader>
  <q:edXMLBody><q:edXMLManifest><q:Reference><q:ContentId>att1</q:ContentId><q:AttachmentName>bc.pdf</q:AttachmentName><q:ContentType>application/pdf</q:ContentType></q:Reference></q:edXMLManifest></q:edXMLBody>
 </q:edXMLEnvelope>
 <q:AttachmentEncoded>
  <q:Attachment>
   <q:ContentId>att1</q:ContentId>
   <q:ContentTransferEncoded>
SGVsbG8s
IHdvcmxk<!-- a comment in the middle -->IQ==
   </q:ContentTransferEncoded>
  </q:Attachment>
 </q:AttachmentEncoded>
</q:edXML>`;

t.test('another vendor\'s edoc: liberal in what we accept', async (t) => {
  const input = Buffer.from(VARIANT);
  const chunks: Buffer[] = [];
  const { Writable } = await import('node:stream');
  const r = await parseEdxmlBuffer(input, { openAttachment: () => new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }) });
  if (r.kind !== 'edoc') throw new Error('not an edoc');
  const h = r.header;
  t.equal(h.from.organId, '0101234567', 'tax-code ids, trimmed');
  t.equal(h.to[0]?.organId, '02.29.W00', 'hub codes');
  t.same(h.code, { codeNumber: '7', codeNotation: 'CV-CTY' }, 'code taken from the DocumentId when absent');
  t.equal(h.promulgation.date, '2026-11-02', 'dd/MM/yyyy');
  t.same(h.documentType, { type: 0, typeName: 'Công văn' }, 'non-numeric Type → 0; TypeName NFC-normalised for matching');
  t.equal(h.documentType.typeName, 'Công văn'.normalize('NFC'));
  t.equal(h.subject, 'Báo cáo <quý> & năm', 'CDATA');
  t.equal(h.otherInfo.priority, 4, 'an unknown higher urgency is kept high');
  t.same(h.traces, [{ organId: '0101234567', timestamp: '2026-11-02T08:01:02' }], 'ISO timestamp; unreadable hop dropped');
  t.same(h.business, { businessDocType: 2, paper: 1, businessDocReason: 'Sửa' }, 'Business spelling');
  t.equal(r.envelope.hasSignature, true, 'envelope signature noticed');
  t.ok(VARIANT.includes(r.envelope.xml), 'the raw envelope is the exact text received');
  t.match(r.envelope.xml, /^<q:edXMLEnvelope>/);
  t.same(r.envelope.namespaces, { q: NS, ds: 'http://www.w3.org/2000/09/xmldsig#' });
  t.match(r.attachments, [{ contentId: 'att1', name: 'bc.pdf', contentType: 'application/pdf', size: 13 }], 'name/type from the manifest');
  t.equal(Buffer.concat(chunks).toString(), 'Hello, world!', 'wrapped base64 with a comment inside');
});

t.test('status variants: Status inside MessageHeader, or fields straight under edXMLHeader', async (t) => {
  const fixture = await readFile(new URL('../fixtures/edxml/incoming-status-03.edxml', import.meta.url).pathname, 'utf8');
  const nested = fixture.replace('<edXML:Status>', '<edXML:MessageHeader><edXML:Status>').replace('</edXML:Status>', '</edXML:Status></edXML:MessageHeader>');
  const flat = fixture.replace('<edXML:Status>', '').replace('</edXML:Status>', '');
  const isoTime = fixture.replace('26/11/2026 10:02:33', '2026/11/26 10:02:33').replace('<edXML:StatusCode>03', '<edXML:StatusCode>3');
  for (const [name, xml] of Object.entries({ nested, flat, isoTime })) {
    const r = await parseEdxmlBuffer(Buffer.from(xml));
    if (r.kind !== 'status') throw new Error(`${name}: not a status`);
    t.match(r.header, { statusCode: '03', timestamp: '2026-11-26T10:02:33', from: { organId: '000.00.00.H99' }, responseFor: { documentId: '000.46.24.H99,2026/11/26,12/QĐ-UBND' } }, name);
  }
});
