import t from 'tap';
import { readdir, readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { EdxmlError } from '../../src/edxml/errors.js';
import { parseEdxml, parseEdxmlFile } from '../../src/edxml/parse.js';

const DIR = new URL('../fixtures/edxml-bad/', import.meta.url).pathname;
const NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'PARSED';
  } catch (e) {
    // Anything but a typed EdxmlError is a bug in itself.
    return e instanceof EdxmlError ? e.code : `UNTYPED ${(e as Error).name}: ${(e as Error).message}`;
  }
}

t.test('every file of the bad-input corpus fails with its typed error', async (t) => {
  const expected = JSON.parse(await readFile(`${DIR}expected.json`, 'utf8')) as Record<string, string>;
  const files = (await readdir(DIR)).filter((f) => f.endsWith('.edxml'));
  t.same(files.sort(), Object.keys(expected).sort(), 'expected.json lists every corpus file');
  for (const f of files) t.equal(await codeOf(parseEdxmlFile(`${DIR}${f}`)), expected[f], f);
});

/** Lazily generated input: never materialised, so the test itself cannot blow memory up. */
async function* generate(parts: () => Iterable<string>): AsyncGenerator<Buffer> {
  let pending = '';
  for (const p of parts()) {
    pending += p;
    if (pending.length >= 65536) {
      yield Buffer.from(pending);
      pending = '';
    }
  }
  if (pending) yield Buffer.from(pending);
}

const HEAD = `<?xml version="1.0"?><edXML xmlns="${NS}"><edXMLEnvelope><edXMLHeader><MessageHeader><DocumentId>X</DocumentId></MessageHeader></edXMLHeader></edXMLEnvelope>`;

t.test('10 000-deep nesting → TOO_DEEP', async (t) => {
  const deep = generate(function* () {
    yield HEAD;
    for (let i = 0; i < 10_000; i++) yield '<a>';
    for (let i = 0; i < 10_000; i++) yield '</a>';
    yield '</edXML>';
  });
  t.equal(await codeOf(parseEdxml(deep)), 'TOO_DEEP');
});

t.test('1000 attachments → TOO_MANY_ATTACHMENTS (limit from config limits.maxAttachments)', async (t) => {
  let opened = 0;
  const many = () =>
    generate(function* () {
      yield `${HEAD}<AttachmentEncoded>`;
      for (let i = 0; i < 1000; i++) yield `<Attachment><ContentId>cid:${i}</ContentId><ContentTransferEncoded>QUJD</ContentTransferEncoded></Attachment>`;
      yield '</AttachmentEncoded></edXML>';
    });
  const sink = () => (opened++, new Writable({ write: (_c, _e, cb) => cb() }));
  t.equal(await codeOf(parseEdxml(many(), { maxAttachments: 20, openAttachment: sink })), 'TOO_MANY_ATTACHMENTS');
  t.equal(opened, 20, 'stopped at the bound, not after reading everything');
  t.equal(await codeOf(parseEdxml(many(), { maxAttachments: 1000 })), 'MISSING_FIELD', 'a higher limit lets them through (then Subject is missing)');
});

t.test('base64 beyond the size bound → TOO_LARGE, memory flat', async (t) => {
  const line = 'QUJD'.repeat(16_384);
  const huge = generate(function* () {
    yield `${HEAD}<AttachmentEncoded><Attachment><ContentTransferEncoded>`;
    for (let i = 0; i < 2000; i++) yield line; // 128 MiB if read to the end
    yield '</ContentTransferEncoded></Attachment></AttachmentEncoded></edXML>';
  });
  const before = process.memoryUsage().rss;
  let destroyed = false;
  const sink = new Writable({ write: (_c, _e, cb) => cb(), destroy: (_e, cb) => ((destroyed = true), cb(null)) });
  t.equal(await codeOf(parseEdxml(huge, { maxBytes: 32 * 1024 * 1024, openAttachment: () => sink })), 'TOO_LARGE');
  t.ok(destroyed, 'the sink was destroyed so the caller drops the partial file');
  t.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'no blow-up');
});

t.test('a long text node outside attachments is refused before it is gathered', async (t) => {
  const long = generate(function* () {
    yield `<edXML xmlns="${NS}"><edXMLEnvelope><edXMLHeader><MessageHeader><Subject>`;
    for (let i = 0; i < 200; i++) yield 'x'.repeat(65536);
    yield '</Subject></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>';
  });
  t.equal(await codeOf(parseEdxml(long, { maxTextChars: 1024 * 1024 })), 'TOO_LARGE');
});

t.test('a failing sink → SINK_FAILED', async (t) => {
  const sink = new Writable({ write: (_c, _e, cb) => cb(new Error('disk full')) });
  t.equal(await codeOf(parseEdxmlFile(new URL('../fixtures/edxml/incoming-edoc.edxml', import.meta.url).pathname, { openAttachment: () => sink })), 'SINK_FAILED');
});

t.test('a DOCTYPE is refused as soon as it starts, not after saxes gathered it', async (t) => {
  let produced = 0;
  const dtd = generate(function* () {
    yield '<?xml version="1.0"?>\n<!DOC';
    yield 'TYPE edXML [';
    for (let i = 0; i < 10_000; i++) {
      produced++;
      yield `<!ENTITY e${i} "${'x'.repeat(1000)}">`;
    }
    yield ']><edXML/>';
  });
  t.equal(await codeOf(parseEdxml(dtd)), 'DTD_FORBIDDEN');
  t.ok(produced < 200, `stopped after ${produced} of 10000 declarations`);
});
