import t from 'tap';
import fc from 'fast-check';
import { columns, fit, wrap, clean, cell } from '../../src/console/text.js';
import { renderInbox, renderLog, renderQueue, renderSelftest, renderStatus } from '../../src/console/render.js';
import { fixtureSource } from '../support/console.js';

const VI = 'Ủy ban nhân dân xã Tiên Lương, huyện Cẩm Khê, tỉnh Phú Thọ — công văn về việc đôn đốc';

t.test('width is counted in characters, not bytes or code units', async (t) => {
  t.equal(columns('Tiên Lương'), 10);
  t.equal(columns('Tiên Lương'.normalize('NFD')), 10, 'decomposed input counts the same');
  const cut = fit(VI, 40);
  t.equal(columns(cut), 40);
  t.ok(Buffer.byteLength(cut) > 40, 'more bytes than columns: the cut was by characters');
  t.ok(cut.endsWith('…'));
  t.equal(fit('short', 40), 'short');
  t.equal(columns(cell('Cẩm Khê', 12)), 12);
});

t.test('control characters and terminal escapes from data are removed', async (t) => {
  t.equal(clean('a\x1b[2Jb\x07c\u009bd\r\ne'), 'a[2Jbcd  e');
  t.notMatch(fit('\x1b]0;pwned\x07subject'), /\x1b|\x07/);
});

t.test('property: wrap keeps every word and every line within the width', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('Tiên', 'Lương', 'văn', 'bản', 'x'.repeat(95), 'điện', 'tử', 'a'), { maxLength: 40 }), fc.integer({ min: 10, max: 80 }), (words, width) => {
      const lines = wrap(words.join(' '), width, '  ');
      return lines.every((l) => columns(l) <= width) && lines.join('').replace(/\s/g, '') === words.join('');
    }),
  );
  t.pass('held');
});

t.test('screens fit 80 columns with long Vietnamese data', async (t) => {
  const src = fixtureSource();
  const screens = [
    renderStatus(await src.status()),
    renderQueue(await src.queue(5)),
    renderInbox(await src.inbox(5)),
    renderSelftest(await src.selftest()),
    renderLog([JSON.stringify({ level: 50, time: '2026-11-27T10:00:00.000Z', msg: VI.repeat(3), err: { message: 'boom' } }), 'plain text line']),
  ];
  for (const lines of screens) for (const l of lines) t.ok(columns(l) <= 80, l);
  t.equal(screens[4]?.[0]?.slice(0, 15), '10:00:00 ERROR ');
  t.equal(screens[4]?.[1], 'plain text line');
  t.match(screens[2]?.[1] ?? '', /!Về việc/, 'urgent incoming documents are marked');
  t.same(renderQueue([]), ['outgoing queue is empty']);
});

t.test('selftest: a skipped check reads "skip" and is not counted as passed or failed', async (t) => {
  const lines = renderSelftest([
    { name: 'hsm', ok: true, detail: 'signed and verified (RSA-PKCS)' },
    { name: 'display', ok: true, skipped: true, detail: 'not configured' },
    { name: 'axis', ok: false, detail: 'unreachable: ECONNREFUSED' },
  ]);
  t.match(lines[0], /^ok\s+hsm\s+signed and verified/);
  t.match(lines[1], /^skip display\s+not configured/);
  t.match(lines[2], /^FAIL axis\s+unreachable/);
  t.equal(lines[3], '1 of 3 checks failed (1 skipped)');
  t.equal(renderSelftest([{ name: 'store', ok: true, detail: 'ok' }, { name: 'display', ok: true, skipped: true, detail: 'not configured' }]).at(-1), 'all 1 checks passed (1 skipped)');
});
