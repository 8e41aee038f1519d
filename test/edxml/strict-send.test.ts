import t from 'tap';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { DOMParser, onWarningStopParsing } from '@xmldom/xmldom';
import { buildEdoc, buildEdocFile, buildStatus, buildStatusFile, EdxmlError, type EdocHeader, type StatusHeader } from '../../src/edxml/index.js';

/**
 * "Strict in what we send": the wire format of what leaves the box, read back with an independent
 * parser (xmldom), not with our own liberal one (which would accept `yyyy-MM-dd` or `Business`
 * just as well and so could not catch a regression). And a header that is not fit to send is
 * refused with every problem at once, before a single byte is written.
 */
const NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

const HEADER: EdocHeader = {
  from: { organId: '000.46.24.H44', organName: 'UBND xã Tiên Lương' },
  to: [{ organId: '000.00.00.H54' }],
  documentId: '000.46.24.H44,2026/11/26,12/QĐ-UBND',
  code: { codeNumber: '12', codeNotation: 'QĐ-UBND' },
  promulgation: { place: 'Tiên Lương', date: '2026-11-26' },
  documentType: { type: 1, typeName: 'Quyết định' },
  subject: 'Về việc triển khai liên thông',
  signer: { competence: 'TM.', position: 'Chủ tịch', fullName: 'Nguyễn Văn A' },
  dueDate: '2026-12-05',
  otherInfo: { priority: 3 },
  traces: [{ organId: '000.46.24.H44', timestamp: '2026-11-26T08:05:09' }],
  business: { businessDocType: 0, paper: 0 },
};

const STATUS: StatusHeader = {
  from: { organId: '000.00.00.H54', organName: 'UBND tỉnh' },
  responseFor: { organId: '000.46.24.H44', code: '12/QĐ-UBND', promulgationDate: '2026-11-26', documentId: HEADER.documentId },
  statusCode: '03',
  timestamp: '2026-11-26T14:30:00',
};

function sink(): { out: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  return { out: new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }), bytes: () => Buffer.concat(chunks) };
}

function dom(xml: Buffer) {
  const doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(xml.toString('utf8'), 'text/xml');
  const texts = (name: string) => Array.from(doc.getElementsByTagNameNS(NS, name)).map((e) => e.textContent ?? '');
  return { doc, texts };
}

t.test('an edoc package in the wire format', async (t) => {
  const s = sink();
  await buildEdoc({ packageId: 'p-1', header: HEADER, attachments: [{ name: 'qd.pdf', contentType: 'application/pdf', source: { stream: Readable.from([Buffer.from('%PDF-1.4')]) } }] }, s.out);
  const { doc, texts } = dom(s.bytes());
  t.equal(doc.documentElement?.namespaceURI, NS);
  t.equal(doc.documentElement?.prefix, 'edXML', 'prefixed with edXML, as packages on the axis are');
  t.same(texts('PromulgationDate'), ['2026/11/26'], 'dates as yyyy/MM/dd');
  t.same(texts('DueDate'), ['2026/12/05']);
  t.same(texts('Timestamp'), ['2026/11/26 08:05:09'], 'timestamps as yyyy/MM/dd HH:mm:ss');
  t.equal(texts('Bussiness').length, 1, 'Bussiness with two s, as it travels');
  t.equal(texts('Business').length, 0);
  t.same(texts('BussinessDocType'), ['0']);
  t.same(texts('Paper'), ['0']);
  t.same(texts('Priority'), ['3']);
  const cids = texts('ContentId');
  t.equal(cids.length, 2, 'in the manifest and on the attachment');
  t.ok(cids.every((c) => /^cid:[0-9a-f-]{36}$/.test(c)) && cids[0] === cids[1], 'ContentId with the cid: prefix, the same in both places');
  t.same(texts('DocumentId')[0], HEADER.documentId);
  t.same(texts('TypeName'), ['Quyết định']);
});

t.test('a status package in the wire format: Status directly under edXMLHeader', async (t) => {
  const s = sink();
  await buildStatus({ header: STATUS }, s.out);
  const { doc, texts } = dom(s.bytes());
  const status = doc.getElementsByTagNameNS(NS, 'Status')[0];
  t.equal(status?.parentNode?.localName, 'edXMLHeader');
  t.same(texts('StatusCode'), ['03'], 'two digits');
  t.same(texts('Timestamp'), ['2026/11/26 14:30:00']);
  t.same(texts('PromulgationDate'), ['2026/11/26']);
});

t.test('an unfit header is refused with every problem at once, nothing written', async (t) => {
  const bad: EdocHeader = {
    ...HEADER,
    from: { organId: '000.46.24.h44' },
    to: [],
    subject: 'x'.repeat(501),
    promulgation: { place: 'Tiên Lương', date: '2026/11/26' },
    otherInfo: { priority: 7 },
  };
  const s = sink();
  const e = await buildEdoc({ packageId: 'p-2', header: bad, attachments: [] }, s.out).catch((x: unknown) => x);
  t.ok(e instanceof EdxmlError && e.code === 'INVALID_INPUT', 'INVALID_INPUT');
  const msg = (e as Error).message;
  for (const field of ['from.organId', 'to needs at least one recipient', 'subject', 'promulgation.date', 'otherInfo.priority']) t.match(msg, field, `names ${field}`);
  t.equal(s.bytes().length, 0, 'not a byte written');

  const st = await buildStatus({ header: { ...STATUS, statusCode: '3', timestamp: '2026-11-26 14:30' } }, sink().out).catch((x: unknown) => x);
  t.ok(st instanceof EdxmlError && st.code === 'INVALID_INPUT');
  t.match((st as Error).message, /statusCode.*timestamp|timestamp.*statusCode/, 'both status problems named');
});

t.test('a failed build to a file leaves no file behind', async (t) => {
  const dir = t.testdir();
  const edoc = path.join(dir, 'bad.edxml');
  await t.rejects(buildEdocFile({ packageId: 'p-3', header: { ...HEADER, to: [] }, attachments: [] }, edoc), { code: 'INVALID_INPUT' });
  t.notOk(existsSync(edoc), 'invalid header: no file');
  const unreadable = path.join(dir, 'unreadable.edxml');
  await t.rejects(buildEdocFile({ packageId: 'p-4', header: HEADER, attachments: [{ name: 'gone.pdf', contentType: 'application/pdf', source: { path: path.join(dir, 'missing.pdf') } }] }, unreadable), { code: 'INVALID_INPUT' });
  t.notOk(existsSync(unreadable), 'unreadable attachment: no partial package');
  const status = path.join(dir, 'bad-status.edxml');
  await t.rejects(buildStatusFile({ header: { ...STATUS, statusCode: 'x' } }, status), { code: 'INVALID_INPUT' });
  t.notOk(existsSync(status), 'invalid status: no file');
  const good = path.join(dir, 'good.edxml');
  await buildStatusFile({ header: STATUS }, good);
  t.ok(existsSync(good), 'a good build is kept');
});
