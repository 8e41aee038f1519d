import t from 'tap';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { parseEdxmlFile } from '../../src/edxml/parse.js';
import type { AttachmentMeta } from '../../src/edxml/types.js';

const FIX = new URL('../fixtures/edxml/', import.meta.url).pathname;

t.test('incoming-edoc: every field the fixtures README lists', async (t) => {
  const seen: { meta: AttachmentMeta; chunks: Buffer[] }[] = [];
  const r = await parseEdxmlFile(`${FIX}incoming-edoc.edxml`, {
    openAttachment: (meta) => {
      const entry = { meta, chunks: [] as Buffer[] };
      seen.push(entry);
      return new Writable({ write: (c: Buffer, _e, cb) => (entry.chunks.push(c), cb()) });
    },
  });
  if (r.kind !== 'edoc') throw new Error('expected an edoc');
  const h = r.header;
  t.equal(h.from.organId, '000.00.00.H99');
  t.same(h.to.map((o) => o.organId), ['H99.46', '000.46.24.H99'], 'two To entries, new-style and legacy code');
  t.equal(h.documentId, '000.00.00.H99,2026/11/20,318/UBND-VP');
  t.same(h.code, { codeNumber: '318', codeNotation: 'UBND-VP' });
  t.same(h.promulgation, { place: 'Thử Nghiệm', date: '2026-11-20' });
  t.same(h.documentType, { type: 71, typeName: 'Công văn', typeDetail: 0 }, 'Type 71 kept, TypeName for matching');
  t.same(h.signer, { position: 'Chánh Văn phòng', fullName: 'Trần Thị B' }, 'SignerInfo without Competence');
  t.equal(h.otherInfo.priority, 1, 'Khẩn');
  t.same(h.otherInfo.appendixes, ['Danh sách đơn vị kết nối']);
  t.equal(h.dueDate, '2026-12-01');
  t.equal(h.subject, 'V/v triển khai kết nối trục liên thông văn bản cấp xã');
  t.same(h.business, {
    businessDocType: 0,
    businessDocReason: 'Văn bản điện tử mới',
    paper: 0,
    staffInfo: { staff: 'Lê Văn C', email: 'lvc@thunghiem.example' },
  }, 'Bussiness spelling');
  t.same(h.traces, [
    { organId: '000.00.00.H99', timestamp: '2026-11-20T09:12:41' },
    { timestamp: '2026-11-20T09:13:05' },
    { organId: '99.29.W00', timestamp: '2026-11-20T09:20:17' },
  ], 'TraceHeader without OrganId kept');
  t.equal(r.envelope.hasSignature, false, 'no envelope Signature');
  t.match(r.envelope.xml, /^<edXML:edXMLEnvelope[^>]*>[\s\S]*<\/edXML:edXMLEnvelope>$/);
  t.equal(r.envelope.namespaces[''], 'http://www.mic.gov.vn/TBT/QCVN_102_2016', 'default namespace on the root');

  t.equal(r.attachments.length, 1, 'the unprefixed AttachmentEncoded is in the edXML namespace');
  const a = r.attachments[0]!;
  t.equal(a.contentId, '7d0c6a52-5a8e-4d0e-9d3c-2f1b8c1e0a01', 'cid: prefix removed');
  t.equal(a.name, '318-UBND-VP trien khai ket noi.pdf');
  t.equal(a.contentType, 'application/pdf');
  t.same(r.references[0]?.contentId, a.contentId);
  const bytes = Buffer.concat(seen[0]!.chunks);
  t.equal(bytes.subarray(0, 5).toString(), '%PDF-', 'decoded into the sink');
  t.equal(a.size, bytes.length);
  t.equal(a.sha256, createHash('sha256').update(bytes).digest('hex'));
  // Independent decode of the same base64 as a cross-check.
  const xml = await readFile(`${FIX}incoming-edoc.edxml`, 'utf8');
  const b64 = /ContentTransferEncoded[^>]*>([^<]*)</.exec(xml)?.[1] ?? '';
  t.ok(Buffer.from(b64, 'base64').equals(bytes), 'byte-identical to a whole-buffer decode');
  t.equal(seen[0]!.meta.name, a.name, 'the sink was told the name before the bytes');
});

t.test('incoming-status-03', async (t) => {
  const r = await parseEdxmlFile(`${FIX}incoming-status-03.edxml`);
  if (r.kind !== 'status') throw new Error('expected a status');
  t.same(r.header, {
    from: { organId: '000.00.00.H99', organName: 'Văn phòng UBND tỉnh Thử Nghiệm' },
    responseFor: { organId: '000.46.24.H99', code: '12/QĐ-UBND', promulgationDate: '2026-11-26', documentId: '000.46.24.H99,2026/11/26,12/QĐ-UBND' },
    statusCode: '03',
    description: 'Đã tiếp nhận văn bản',
    timestamp: '2026-11-26T10:02:33',
    staffInfo: { department: 'Văn phòng', staff: 'Lê Văn C', mobile: '0900000000', email: 'lvc@thunghiem.example' },
  });
});
