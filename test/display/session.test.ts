/** The session's mirror of what the device shows, against a reset that races an answer. */
import t from 'tap';
import { SerialPortMock } from 'serialport';
import type { PortFactory } from '../../src/display/framing.js';
import { DisplaySession, type Frame } from '../../src/display/session.js';

t.test('an answer read just before BOOT does not mark its LED as shown: the next render sends it again', async (t) => {
  const path = '/dev/mock-session-1';
  SerialPortMock.binding.createPort(path, { echo: false, record: true });
  let port: SerialPortMock | null = null;
  const factory: PortFactory = (p, baudRate) => (port = new SerialPortMock({ path: p, baudRate, autoOpen: false }));
  // A scripted device: answers each line the host writes; the answer to `LED g` arrives in the
  // same chunk as a BOOT (the device reset right after answering).
  let resetOnLed = true;
  let seen = 0;
  const sent: string[] = [];
  const answerer = setInterval(() => {
    const dev = (port as SerialPortMock | null)?.port;
    if (!dev) return;
    const lines = dev.recording.toString().split('\n').slice(0, -1);
    for (const line of lines.slice(seen)) {
      sent.push(line);
      if (line === 'HELLO') dev.emitData('HELLO edoc-display 1.0.0 20x4\n');
      else if (line.startsWith('LED g') && resetOnLed) {
        resetOnLed = false;
        dev.emitData('OK\nBOOT\n');
      } else dev.emitData('OK\n');
    }
    seen = lines.length;
  }, 2);
  t.teardown(() => clearInterval(answerer));

  let session: DisplaySession | null = null;
  session = await DisplaySession.open(path, 115200, factory, (u) => {
    if (u.kind === 'boot') session?.invalidate(); // what the display service does
  });
  t.teardown(() => session?.close());
  const frame: Frame = { rows: ['EDOC GATEWAY      OK', 'row 1', 'row 2', 'row 3'], leds: { g: 1, a: 0, r: 0 } };
  t.ok(await session.render(frame));
  const first = sent.length;
  t.ok(await session.render(frame));
  // The reset blanked what was shown before it: the rows and the green LED whose OK came with the
  // BOOT are sent again (LED a and r were sent after the BOOT, so the device has them).
  t.same(sent.slice(first), ['ROW 0 EDOC GATEWAY      OK', 'ROW 1 row 1', 'ROW 2 row 2', 'ROW 3 row 3', 'LED g 1']);
  const third = sent.length;
  t.ok(await session.render(frame));
  t.same(sent.slice(third), [], 'in step again: nothing to send');
});
