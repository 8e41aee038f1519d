import t from 'tap';
import fc from 'fast-check';
import { codePointLength, foldKey, hasControlChars, normaliseText, stripDiacritics } from '../../src/domain/text.js';

// Assertion names must stay on one TAP line: escape everything outside printable ASCII.
const show = (s: string) => JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

t.test('stripDiacritics folds Vietnamese to ASCII', async (t) => {
  t.equal(stripDiacritics('Đường Hồ Chí Minh'), 'Duong Ho Chi Minh');
  t.equal(stripDiacritics('Ủy ban nhân dân xã Tiên Lương'), 'Uy ban nhan dan xa Tien Luong');
  t.equal(stripDiacritics('ư ơ Ư Ơ đ Đ'), 'u o U O d D');
  t.equal(stripDiacritics('Hỏa tốc hẹn giờ: Thượng khẩn'), 'Hoa toc hen gio: Thuong khan');
  t.equal(stripDiacritics('Số: 12/QĐ-UBND'), 'So: 12/QD-UBND');
  t.equal(stripDiacritics('ẤẦẨẪẬ ặ ỵ ữ ỡ'), 'AAAAA a y u o');
});

t.test('stripDiacritics accepts decomposed input and drops stray marks', async (t) => {
  t.equal(stripDiacritics('Quyết định'.normalize('NFD')), 'Quyet dinh');
  t.equal(stripDiacritics('\u0301abc'), 'abc', 'a leading combining mark has no base: dropped');
});

t.test('stripDiacritics replaces what the LCD cannot show', async (t) => {
  t.equal(stripDiacritics('a\tb\nc\u0007'), 'a?b?c?', 'controls');
  t.equal(stripDiacritics('中文'), '??', 'other scripts');
  t.equal(stripDiacritics('ok 😀'), 'ok ?', 'one ? per code point, not per UTF-16 unit');
  t.equal(stripDiacritics('x\uD800y'), 'x?y', 'lone surrogate');
  t.equal(stripDiacritics('“Tiêu đề” – 5…'), '"Tieu de" - 5.', 'typography');
  t.equal(stripDiacritics('a\u00A0b'), 'a b', 'no-break space');
});

t.test('hasControlChars', async (t) => {
  t.equal(hasControlChars('Về việc triển khai'), false);
  for (const bad of ['a\u0000', 'a\u0007b', 'a\u007F', 'a\u0085', 'a\u202Eb', 'a\u2028', 'x\uDC00', 'a\u001B[31m']) {
    t.equal(hasControlChars(bad), true, show(bad));
  }
  t.equal(hasControlChars('a\nb'), true, 'line break in a one-line field');
  t.equal(hasControlChars('a\r\nb\tc', { allowLineBreaks: true }), false, 'allowed in multi-line fields');
  t.equal(hasControlChars('a\u0000', { allowLineBreaks: true }), true);
  t.equal(hasControlChars('😀'), false, 'a valid surrogate pair is not a control');
});

t.test('normaliseText, codePointLength, foldKey', async (t) => {
  t.equal(normaliseText('  Công văn '.normalize('NFD')), 'Công văn');
  t.equal(codePointLength('Việt😀'), 5);
  t.equal(foldKey('  CÔNG   VĂN '), 'cong van');
  t.equal(foldKey('Bản thoả thuận'), foldKey('Bản thỏa thuận'), 'old and new tone placement');
});

t.test('property: precomposed input folds to printable ASCII of the same length', async (t) => {
  const anyChar = fc.oneof(
    fc.constantFrom(...'ĐđƯưƠơẤầẩẫậÀÁẢÃẠỳỷỹýỵ'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
  );
  fc.assert(
    fc.property(fc.array(anyChar, { maxLength: 40 }), (chars) => {
      // Precomposed: NFC, and no combining marks left over.
      const input = chars.join('').normalize('NFC').replace(/\p{M}/gu, '');
      const out = stripDiacritics(input);
      return /^[\x20-\x7E]*$/.test(out) && out.length === [...input].length;
    }),
    { numRuns: 300 },
  );
  t.pass('held');
});

t.test('property: stripDiacritics never throws and is NFC/NFD-insensitive', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
      const out = stripDiacritics(s);
      return /^[\x20-\x7E]*$/.test(out) && out === stripDiacritics(s.normalize('NFD'));
    }),
    { numRuns: 300 },
  );
  t.pass('held');
});
