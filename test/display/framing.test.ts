/**
 * Framing layer on SerialPortMock. `SerialPortMock.binding` is used rather than importing
 * @serialport/binding-mock, which under ESM can load a second copy with its own port table.
 */
import t from 'tap';
import { SerialPortMock } from 'serialport';
import { openLineLink, type PortFactory } from '../../src/display/framing.js';

let n = 0;
function mockPort(): { path: string; factory: PortFactory; port: () => SerialPortMock } {
  const path = `/dev/mock-framing-${++n}`;
  SerialPortMock.binding.createPort(path, { echo: false, record: true });
  let created: SerialPortMock | null = null;
  const factory: PortFactory = (p, baudRate) => (created = new SerialPortMock({ path: p, baudRate, autoOpen: false }));
  return {
    path,
    factory,
    port: () => {
      if (!created) throw new Error('port not created');
      return created;
    },
  };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

t.test('splits lines across and within chunks, drops a trailing CR', async (t) => {
  const m = mockPort();
  const link = await openLineLink(m.path, 115200, m.factory);
  const lines: string[] = [];
  link.onLine((l) => lines.push(l));
  m.port().port?.emitData('PO');
  m.port().port?.emitData('NG\nOK\r\nBTN 1 sh');
  m.port().port?.emitData('ort\n');
  await tick();
  t.same(lines, ['PONG', 'OK', 'BTN 1 short']);
  await link.close();
});

t.test('writes one line with its newline, refuses overlong or non-ASCII lines', async (t) => {
  const m = mockPort();
  const link = await openLineLink(m.path, 115200, m.factory);
  await link.writeLine('ROW 0 hello');
  await tick();
  t.equal(m.port().port?.recording.toString(), 'ROW 0 hello\n');
  await t.rejects(link.writeLine(`ROW 0 ${'x'.repeat(59)}`), /too long/);
  await t.rejects(link.writeLine('ROW 0 Hà Nội'), /printable ASCII/);
  await t.rejects(link.writeLine('ROW 0 a\nPING'), /printable ASCII/, 'no smuggled second command');
  await tick();
  t.equal(m.port().port?.recording.toString(), 'ROW 0 hello\n', 'nothing else was written');
  await link.close();
});

t.test('our own close() reports no error; writes after it are refused', async (t) => {
  const m = mockPort();
  const link = await openLineLink(m.path, 115200, m.factory);
  const closes: (Error | undefined)[] = [];
  link.onClose((e) => closes.push(e));
  await link.close();
  t.same(closes, [undefined]);
  await t.rejects(link.writeLine('PING'), /closed/);
});

t.test('a device streaming without newlines is cut off with an error', async (t) => {
  const m = mockPort();
  const link = await openLineLink(m.path, 115200, m.factory);
  const closed = new Promise<Error | undefined>((resolve) => link.onClose(resolve));
  for (let i = 0; i < 5; i++) m.port().port?.emitData(Buffer.alloc(1000, 0x41));
  const err = await closed;
  t.match(err?.message, /without a newline/);
});

t.test('opening a path that does not exist fails', async (t) => {
  const factory: PortFactory = (p, baudRate) => new SerialPortMock({ path: p, baudRate, autoOpen: false });
  await t.rejects(openLineLink('/dev/mock-nowhere', 115200, factory));
});
