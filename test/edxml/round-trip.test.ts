import t from 'tap';
import { deepStrictEqual } from 'node:assert/strict';
import fc from 'fast-check';
import { PassThrough, Readable, Writable } from 'node:stream';
import { DOMParser, onWarningStopParsing } from '@xmldom/xmldom';
import { buildEdoc } from '../../src/edxml/build-edoc.js';
import { buildStatus } from '../../src/edxml/build-status.js';
import { parseEdxml } from '../../src/edxml/parse.js';
import type { EdocHeader, Organization, StatusHeader } from '../../src/edxml/types.js';

// Text as offices write it: Vietnamese letters (precomposed), ASCII, XML-special characters.
const VI = 'aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐÂÊÔƠƯ ';
const SPECIAL = '<>&"\'/.,;:-()[]\r\n\t0123456789';
const char = fc.constantFrom(...[...VI, ...SPECIAL, ...'ABCxyz']);
const text = (max = 40) => fc.array(char, { minLength: 1, maxLength: max }).map((a) => a.join('')).filter((s) => s.trim().length > 0);
/** Identifiers are trimmed by the parser (they are tokens, not prose). */
const id = (max = 40) => text(max).map((s) => s.trim()).filter((s) => s.length > 0);
const organId = fc.array(fc.stringMatching(/^[0-9A-Z]{1,3}$/), { minLength: 1, maxLength: 4 }).map((a) => a.join('.')).filter((s) => s.length <= 35);
const date = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const dateTime = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 19));
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const organization: fc.Arbitrary<Organization> = fc.record(
  { organId, organizationInCharge: text(), organName: text(), organAdd: text(), email: fc.constant('vt@x.example'), telephone: fc.constant('0241234567'), fax: fc.constant('0241234568'), website: fc.constant('https://x.example') },
  { requiredKeys: ['organId'] },
);
const responseFor = fc.record({ organId, code: id(20), promulgationDate: date, documentId: id(60) });
const staffInfo = fc.record({ department: text(), staff: text(), email: fc.constant('a@b.example'), mobile: fc.constant('0900000000') }, { requiredKeys: [] });

const header: fc.Arbitrary<EdocHeader> = fc.record(
  {
    from: organization,
    to: fc.array(organization, { minLength: 1, maxLength: 3 }),
    documentId: id(80),
    code: fc.record({ codeNumber: fc.stringMatching(/^[0-9]{1,5}$/), codeNotation: id(20) }),
    promulgation: fc.record({ place: text(), date }),
    documentType: fc.record({ type: fc.integer({ min: 0, max: 999 }), typeName: text(), typeDetail: fc.integer({ min: 0, max: 9 }) }, { requiredKeys: ['type', 'typeName'] }),
    subject: text(500),
    content: text(200),
    signer: fc.record({ competence: fc.constantFrom('TM.', 'KT.', 'TL.', 'TUQ.', 'Q.'), position: text(), fullName: text() }, { requiredKeys: ['fullName'] }),
    dueDate: date,
    toPlaces: fc.array(text(), { minLength: 1, maxLength: 3 }),
    otherInfo: fc.record(
      { priority: fc.integer({ min: 0, max: 4 }), sphereOfPromulgation: text(), typerNotation: text(10), promulgationAmount: fc.nat(100), pageAmount: fc.nat(500), direction: fc.boolean(), appendixes: fc.array(text(), { minLength: 1, maxLength: 3 }) },
      { requiredKeys: ['priority'] },
    ),
    steeringType: fc.integer({ min: 0, max: 3 }),
    responseFor: fc.array(responseFor, { minLength: 1, maxLength: 2 }),
    traces: fc.array(fc.record({ organId, timestamp: dateTime }, { requiredKeys: ['timestamp'] }), { minLength: 1, maxLength: 3 }),
    business: fc.record(
      { businessDocType: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const), businessDocReason: text(), paper: fc.constantFrom(0 as const, 1 as const), documentId: id(60), staffInfo },
      { requiredKeys: ['businessDocType', 'paper'] },
    ),
  },
  { requiredKeys: ['from', 'to', 'documentId', 'code', 'promulgation', 'documentType', 'subject', 'signer', 'otherInfo'] },
);

async function collect(write: (out: Writable) => Promise<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) });
  await write(out);
  return Buffer.concat(chunks);
}

/** What the parser promises: text comes back NFC-normalised (our generators are NFC already). */
const nfc = <T>(v: T): T => JSON.parse(JSON.stringify(v), (_k, x) => (typeof x === 'string' ? x.normalize('NFC') : x)) as T;

async function* split(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

t.test('edoc: parse(build(header)) gives the header back, in any chunking', async (t) => {
  await fc.assert(
    fc.asyncProperty(header, fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 97 }), async (h, file, chunk) => {
      const xml = await collect((out) => buildEdoc({ packageId: 'p-1', header: h, attachments: [{ name: 'a.pdf', contentType: 'application/pdf', source: { stream: Readable.from([Buffer.from(file)]) } }] }, out));
      const got: Buffer[] = [];
      const r = await parseEdxml(split(xml, chunk), { openAttachment: () => new Writable({ write: (c: Buffer, _e, cb) => (got.push(c), cb()) }) });
      if (r.kind !== 'edoc') throw new Error('not an edoc');
      // assert (not t.same) so fast-check sees the failure and shrinks it.
      deepStrictEqual(r.header, nfc(h));
      deepStrictEqual(Buffer.concat(got), Buffer.from(file));
    }),
    { numRuns: 100 },
  );
  t.pass('100 generated packages');
});

t.test('status: parse(build(status)) gives it back', async (t) => {
  const status: fc.Arbitrary<StatusHeader> = fc.record(
    { from: organization, responseFor, statusCode: fc.constantFrom('01', '02', '03', '04', '05', '06', '13', '15', '16'), description: text(), timestamp: dateTime, staffInfo },
    { requiredKeys: ['from', 'responseFor', 'statusCode', 'timestamp'] },
  );
  await fc.assert(
    fc.asyncProperty(status, async (s) => {
      const xml = await collect((out) => buildStatus({ header: s }, out));
      const r = await parseEdxml(split(xml, 50));
      if (r.kind !== 'status') throw new Error('not a status');
      deepStrictEqual(r.header, nfc(s));
    }),
    { numRuns: 100 },
  );
  t.pass('100 generated status packages');
});

t.test('a package is a pure function of its input: rebuilds are byte-identical', async (t) => {
  const h = fc.sample(header, { seed: 7, numRuns: 1 })[0]!;
  const file = Buffer.alloc(100_000, 7);
  const build = () => collect((out) => buildEdoc({ packageId: 'same', header: h, attachments: [{ name: 'x.pdf', contentType: 'application/pdf', source: { stream: Readable.from([file]) } }] }, out));
  t.ok((await build()).equals(await build()));
});

t.test('an independent parser (xmldom) reads what we build: well-formed, namespaced, escaped', async (t) => {
  const NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';
  for (const h of fc.sample(header, { seed: 11, numRuns: 25 })) {
    const xml = (await collect((out) => buildEdoc({ packageId: 'x', header: h, attachments: [{ name: 'a&b <c>.pdf', contentType: 'application/pdf', source: { stream: Readable.from([Buffer.from('%PDF-1.4')]) } }] }, out))).toString('utf8');
    const doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(xml, 'text/xml');
    const root = doc.documentElement;
    t.equal(root?.namespaceURI, NS);
    t.equal(root?.localName, 'edXML');
    const subject = doc.getElementsByTagNameNS(NS, 'Subject')[0]?.textContent;
    deepStrictEqual(subject, h.subject);
    deepStrictEqual(doc.getElementsByTagNameNS(NS, 'AttachmentName')[1]?.textContent, 'a&b <c>.pdf');
    deepStrictEqual(Buffer.from(doc.getElementsByTagNameNS(NS, 'ContentTransferEncoded')[0]?.textContent ?? '', 'base64').toString(), '%PDF-1.4');
  }
});

t.test('a 20 MB attachment streams through build and parse without being held whole', async (t) => {
  const h = fc.sample(header, { seed: 3, numRuns: 1 })[0]!;
  const size = 20 * 1024 * 1024;
  const source = Readable.from((function* () {
    for (let i = 0; i < size / 65536; i++) yield Buffer.alloc(65536, i % 251);
  })());
  const pipe = new PassThrough({ highWaterMark: 256 * 1024 });
  const before = process.memoryUsage().rss;
  let peak = before;
  let received = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const [built, parsed] = await Promise.all([
    buildEdoc({ packageId: 'big', header: h, attachments: [{ name: 'big.pdf', contentType: 'application/pdf', source: { stream: source } }] }, pipe).then((r) => (pipe.end(), r)),
    parseEdxml(pipe, { openAttachment: () => new Writable({ write: (c: Buffer, _e, cb) => ((received += c.length), cb()) }) }),
  ]);
  clearInterval(sampler);
  if (parsed.kind !== 'edoc') throw new Error('not an edoc');
  t.equal(received, size);
  t.equal(parsed.attachments[0]?.size, size);
  t.ok(built.bytes > size * 1.33, `package is ${built.bytes} bytes`);
  // The package is ~27 MB; holding it (or its base64) once would add more than this.
  t.ok(peak - before < 24 * 1024 * 1024, `RSS grew by ${Math.round((peak - before) / 1048576)} MiB`);
});
