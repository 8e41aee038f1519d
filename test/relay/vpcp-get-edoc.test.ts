import t from 'tap';
import { randomBytes } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { AxisError } from '../../src/relay/axis-port.js';
import { startTestAxis, A, B } from '../support/axis-sim.js';

async function rejection(p: Promise<unknown>): Promise<AxisError> {
  const e = await p.then(() => null, (x: unknown) => x);
  if (!(e instanceof AxisError)) throw new Error(`expected an AxisError, got ${String(e)}`);
  return e;
}

t.test('the reader gives up mid-download: getEdoc stops, the connection is freed', async (t) => {
  const axis = await startTestAxis(t);
  const { docId } = await axis.client(A).sendEdoc({ bytes: randomBytes(3 * 1024 * 1024) }, { messageType: 'edoc', from: A, to: [B] });
  const b = axis.client(B, { maxSockets: 1 });
  const pass = new PassThrough({ highWaterMark: 16 * 1024 });
  let read = 0;
  pass.on('data', (c: Buffer) => {
    read += c.length;
    // Like the inbox refusing a package past its size bound.
    if (read > 256 * 1024) pass.destroy();
  });
  t.match(await rejection(b.getEdoc(docId, pass)), { code: 'LOCAL_IO', transient: false });
  t.equal((await b.getReceivedEdocList('edoc')).length, 1, 'the single socket is usable again');
});

t.test('a failing destination → LOCAL_IO, no unhandled error', async (t) => {
  const axis = await startTestAxis(t);
  const { docId } = await axis.client(A).sendEdoc({ bytes: randomBytes(1024 * 1024) }, { messageType: 'edoc', from: A, to: [B] });
  const broken = new Writable({ write: (_c, _e, cb) => cb(new Error('ENOSPC')) });
  t.match(await rejection(axis.client(B).getEdoc(docId, broken)), { code: 'LOCAL_IO' });
  t.ok(broken.destroyed);
});
