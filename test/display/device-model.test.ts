/** The device's protocol rules, as the emulator runs them (the firmware is held to the same
 * model by the driver suite's random-line case). */
import t from 'tap';
import fc from 'fast-check';
import { executeLine, initialDeviceState, LineAssembler } from '../../src/display/device-model.js';

const run = (line: string) => {
  const s = initialDeviceState();
  return { answer: executeLine(s, new LineAssembler().feed(Buffer.from(`${line}\n`, 'latin1'))[0] ?? null), state: s };
};

t.test('protocol v1 table', async (t) => {
  t.equal(run('HELLO').answer, 'HELLO edoc-display 1.0.0-emu 20x4');
  t.equal(run('PING').answer, 'PONG');
  t.equal(run('PING\r').answer, 'PONG', 'CRLF tolerated');
  const row = run('ROW 2 Xin chao');
  t.equal(row.answer, 'OK');
  t.equal(row.state.rows[2], 'Xin chao            ');
  t.equal(run(`ROW 3 ${'y'.repeat(30)}`).state.rows[3], 'y'.repeat(20), 'truncated to the width');
  t.equal(run('ROW 4 x').answer, 'ERR bad row');
  t.equal(run('LED r 2').state.leds.r, 2);
  t.equal(run('LED x 1').answer, 'ERR bad led');
  t.equal(run('BEEP 2000').answer, 'OK');
  t.equal(run('BEEP 2001').answer, 'ERR bad beep');
  t.equal(run('BEEP 0').answer, 'ERR bad beep');
  t.equal(run('').answer, 'ERR empty');
  t.equal(run('ROW 0 caf\xe9').answer, 'ERR bad char');
  t.equal(run('ping').answer, 'ERR unknown command');
  t.equal(run('x'.repeat(64)).answer, 'ERR unknown command', '64 bytes is still a line');
  t.equal(run('x'.repeat(65)).answer, 'ERR too long');
});

t.test('every complete line gets exactly one answer and the buffer never exceeds 64 bytes', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), (chunks) => {
      const asm = new LineAssembler();
      const state = initialDeviceState();
      let lines = 0;
      let newlines = 0;
      for (const c of chunks) {
        newlines += c.filter((b) => b === 0x0a).length;
        for (const l of asm.feed(c)) {
          if (l !== null && l.length > 64) return false;
          const a = executeLine(state, l);
          if (a.length === 0 || a.includes('\n')) return false;
          lines++;
        }
      }
      return lines === newlines;
    }),
  );
});
