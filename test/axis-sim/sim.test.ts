import t from 'tap';
import { createWriteStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestAxis, A, B, C } from '../support/axis-sim.js';

const PKG = Buffer.from('<?xml version="1.0"?><edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>\n');

t.test('queues, dedup index and counters survive a restart of the simulator', async (t) => {
  const dir = t.testdir();
  const stateDir = join(dir, 'state');
  const first = await startTestAxis(t, { stateDir });
  const { docId } = await first.client(A).sendEdoc({ bytes: PKG }, { messageType: 'edoc', from: A, to: [B, C] });
  await first.client(C).updateStatus(docId, 'done');
  await first.sim.close();

  const second = await startTestAxis(t, { stateDir });
  const list = await second.client(B).getReceivedEdocList('edoc');
  t.same(list.map((e) => e.docId), [docId], 'still pending for B');
  t.same(await second.client(C).getReceivedEdocList('edoc'), [], 'C acknowledged before the restart');
  const out = join(dir, 'got.edxml');
  await second.client(B).getEdoc(docId, createWriteStream(out));
  t.ok((await readFile(out)).equals(PKG), 'byte-identical after restart');
  const again = await second.client(A).sendEdoc({ bytes: PKG }, { messageType: 'edoc', from: A, to: [B, C] });
  t.equal(again.docId, docId, 'a resend after the restart is still a duplicate');
  t.match(second.sim.stats(), { received: 1, duplicates: 1, delivered: 1, acknowledged: 1 });
  t.same(await readdir(join(stateDir, 'tmp')), [], 'no upload left behind');
});

t.test('inject: raw (bad) bytes for an agency, in-process and over the admin route', async (t) => {
  const axis = await startTestAxis(t);
  const bad = Buffer.from('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>');
  const docId = await axis.sim.inject(B, A, bad);
  const res = await fetch(`${axis.sim.url}/_sim/inject?to=${B}&from=${C}&messagetype=status`, { method: 'POST', body: 'not xml at all' });
  const viaHttp = ((await res.json()) as { docId: string }).docId;
  const b = axis.client(B);
  t.same((await b.getReceivedEdocList('edoc')).map((e) => [e.docId, e.from]), [[docId, A]]);
  t.same((await b.getReceivedEdocList('status')).map((e) => [e.docId, e.from]), [[viaHttp, C]]);
  const out = join(t.testdir(), 'bad.edxml');
  await b.getEdoc(docId, createWriteStream(out));
  t.ok((await readFile(out)).equals(bad), 'delivered exactly as injected');
  await b.updateStatus(docId, 'fail');
  t.same(await b.getReceivedEdocList('edoc'), [], 'fail takes it off the list too');
});

t.test('unknown operation, wrong method, oversized package', async (t) => {
  const axis = await startTestAxis(t, { maxPackageBytes: 1024 });
  t.equal((await fetch(`${axis.sim.url}/nope`, { method: 'POST' })).status, 404);
  t.equal((await fetch(`${axis.sim.url}/getEdoc`)).status, 404);
  const e = await axis.client(A).sendEdoc({ bytes: Buffer.alloc(4096, 0x41) }, { messageType: 'edoc', from: A, to: [B] }).catch((x: unknown) => x);
  t.match(e, { name: 'AxisError', transient: false, axisCode: 'TOO_LARGE' });
  t.equal(axis.sim.stats().received, 0);
});

t.test('the same bytes to another recipient are a new package, not a resend', async (t) => {
  // A recall (13) to several offices is one package per recipient with the same content (no `To`
  // in a status package): each recipient must still get its own.
  const axis = await startTestAxis(t);
  const a = axis.client(A);
  const toB = await a.sendEdoc({ bytes: PKG }, { messageType: 'status', from: A, to: [B] });
  const toC = await a.sendEdoc({ bytes: PKG }, { messageType: 'status', from: A, to: [C] });
  t.not(toC.docId, toB.docId, 'a new DocId for the other recipient');
  t.same((await axis.client(B).getReceivedEdocList('status')).map((e) => e.docId), [toB.docId], 'B has its copy');
  t.same((await axis.client(C).getReceivedEdocList('status')).map((e) => e.docId), [toC.docId], 'C has its copy');
  const resend = await a.sendEdoc({ bytes: PKG }, { messageType: 'status', from: A, to: [C] });
  t.equal(resend.docId, toC.docId, 'a resend to the same recipient is still a duplicate');
  const reordered = await a.sendEdoc({ bytes: PKG }, { messageType: 'edoc', from: A, to: [C, B] });
  const again = await a.sendEdoc({ bytes: PKG }, { messageType: 'edoc', from: A, to: [B, C] });
  t.equal(again.docId, reordered.docId, 'the order of the recipients does not matter');
  t.match(axis.sim.stats(), { received: 3, duplicates: 2 });
});
