import t from 'tap';
import fc from 'fast-check';
import { LineEditor } from '../../src/console/line-editor.js';

function editor(max = 256, echo = false): { push: (s: string | Buffer) => void; lines: string[]; overlong: number[]; echoed: () => string } {
  const lines: string[] = [];
  const overlong: number[] = [];
  const echoed: Buffer[] = [];
  const ed = new LineEditor({ line: (l) => lines.push(l), overlong: (n) => overlong.push(n), echo: (b) => echoed.push(b) }, max, echo);
  return {
    push: (s) => ed.push(typeof s === 'string' ? Buffer.from(s, 'utf8') : s),
    lines,
    overlong,
    echoed: () => Buffer.concat(echoed).toString('utf8'),
  };
}

t.test('CR, LF and CRLF each end one line, across chunk boundaries', async (t) => {
  const e = editor();
  e.push('status\r');
  e.push('queue 3\n');
  e.push('net\r');
  e.push('\nlog');
  e.push(' 5\r\n');
  t.same(e.lines, ['status', 'queue 3', 'net', 'log 5']);
});

t.test('backspace removes whole UTF-8 characters; escapes and control bytes are ignored', async (t) => {
  const e = editor(256, true);
  e.push('Lươ\x7f\x08ng\x1b[D\x1bOx\x01!\r');
  t.same(e.lines, ['Lngx!'], 'DEL and BS each removed one character; ESC [ D and ESC O vanished');
  t.equal(e.echoed(), 'Lươ\b \b\b \bngx!\r\n', 'echo shows what the line holds');
});

t.test('Ctrl-C abandons the line', async (t) => {
  const e = editor();
  e.push('selftest\x03status\r');
  t.same(e.lines, ['', 'status']);
});

t.test('a line of exactly the limit passes; one byte more is dropped and counted', async (t) => {
  const e = editor(8);
  e.push('12345678\r123456789\rok\r');
  t.same(e.lines, ['12345678', 'ok']);
  t.same(e.overlong, [9]);
});

t.test('property: lines never exceed the limit (at most one character per byte kept) and every Enter yields exactly one event', async (t) => {
  const max = 16;
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
      const e = editor(max, true);
      for (const c of chunks) e.push(Buffer.from(c));
      const all = Buffer.concat(chunks.map((c) => Buffer.from(c)));
      // Count Enters as the editor defines them: CR, LF not after CR, Ctrl-C — outside escapes.
      let enters = 0;
      let esc = 0;
      let prevCr = false;
      for (const b of all) {
        const afterCr = prevCr;
        prevCr = b === 0x0d;
        if (esc === 1) { esc = b === 0x5b ? 2 : 0; continue; }
        if (esc === 2) { if (b >= 0x40 && b <= 0x7e) esc = 0; continue; }
        if (b === 0x1b) { esc = 1; continue; }
        if (b === 0x0d || b === 0x03 || (b === 0x0a && !afterCr)) enters += 1;
      }
      return e.lines.length + e.overlong.length === enters && e.lines.every((l) => [...l].length <= max) // invalid UTF-8 decodes to U+FFFD: count characters;
    }),
  );
  t.pass('held for random input');
});
