import t from 'tap';
import { VpcpAxis } from '../../src/relay/vpcp/adapter.js';
import { axisErr, startTestAxis, A, B, AGENCIES } from '../support/axis-sim.js';

const PKG = Buffer.from('<?xml version="1.0"?><edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>');

t.test('axis down: connection reset, or 503 → transient', async (t) => {
  const axis = await startTestAxis(t);
  const a = axis.client(A);
  axis.sim.faults.set({ down: true });
  t.match(await axisErr(a.getReceivedEdocList('edoc')), { transient: true, code: 'NETWORK' });
  axis.sim.faults.set({ downMode: '503' });
  t.match(await axisErr(a.sendEdoc({ bytes: PKG }, { messageType: 'edoc', from: A, to: [B] })), { transient: true, code: 'HTTP_STATUS', httpStatus: 503 });
  axis.sim.faults.reset();
  t.same(await a.getReceivedEdocList('edoc'), [], 'recovers when the axis is back');
  t.equal(axis.sim.stats().received, 0, 'nothing was stored while down');
});

t.test('random 500s are seeded and transient', async (t) => {
  const axis = await startTestAxis(t);
  const a = axis.client(A);
  const run = async (): Promise<string> => {
    axis.sim.faults.set({ errorRate: 0.5, seed: 42 });
    let pattern = '';
    for (let i = 0; i < 12; i++) {
      try {
        await a.getAgenciesList();
        pattern += '.';
      } catch (e) {
        t.match(e, { transient: true, httpStatus: 500 });
        pattern += 'x';
      }
    }
    return pattern;
  };
  const first = await run();
  t.match(first, /x/, 'some fail');
  t.match(first, /\./, 'some pass');
  t.equal(await run(), first, 'the same seed replays the same failures');
});

t.test('a slow axis → timeout, transient', async (t) => {
  const axis = await startTestAxis(t);
  axis.sim.faults.set({ slowMs: 1500 });
  const impatient = axis.client(A, { idleTimeoutMs: 200 });
  t.match(await axisErr(impatient.getReceivedEdocList('edoc')), { transient: true, code: 'TIMEOUT' });
});

t.test('dropAfterAccept: the client sees a transient error; the retry is deduplicated', async (t) => {
  const axis = await startTestAxis(t);
  const a = axis.client(A);
  axis.sim.faults.set({ dropAfterAccept: true });
  t.match(await axisErr(a.sendEdoc({ bytes: PKG }, { messageType: 'edoc', from: A, to: [B] })), { transient: true, code: 'NETWORK' });
  t.equal(axis.sim.stats().received, 1, 'the axis did store it');
  axis.sim.faults.set({ dropAfterAccept: false });
  const { docId } = await a.sendEdoc({ bytes: PKG }, { messageType: 'edoc', from: A, to: [B] });
  const list = await axis.client(B).getReceivedEdocList('edoc');
  t.same(list.map((e) => e.docId), [docId], 'one delivery, under the first DocId');
  t.match(axis.sim.stats(), { received: 1, duplicates: 1 });
});

t.test('fault knobs over the admin route', async (t) => {
  const axis = await startTestAxis(t);
  const res = await fetch(`${axis.sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify({ down: true, downMode: '503' }) });
  t.match(await res.json(), { down: true, downMode: '503' });
  t.match(await axisErr(axis.client(A).getAgenciesList()), { httpStatus: 503, transient: true });
  t.equal((await fetch(`${axis.sim.url}/_sim/faults`, { method: 'POST', body: '{"errorRate": 7}' })).status, 400, 'bad values refused');
  await fetch(`${axis.sim.url}/_sim/faults`, { method: 'POST', body: '{"down": false}' });
  t.equal((await axis.client(A).getAgenciesList()).length, AGENCIES.length);
  t.match(await (await fetch(`${axis.sim.url}/_sim/stats`)).json(), { received: 0 });
});

t.test('nobody listening → transient network error', async (t) => {
  const axis = await startTestAxis(t);
  const url = axis.sim.url;
  await axis.sim.close();
  const a = new VpcpAxis({ endpoint: url, systemId: A, secret: AGENCIES[0]!.secret, idleTimeoutMs: 2000 });
  t.teardown(() => a.close());
  t.match(await axisErr(a.getReceivedEdocList('edoc')), { transient: true, code: 'NETWORK', message: /ECONNREFUSED/ });
});
