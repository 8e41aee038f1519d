import t from 'tap';
import { createHmac } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CLERK, OFFICE_A, OFFICE_B, SAMPLE_PDF, makeOffices, metadataFor, until, upload } from '../support/office.js';

/**
 * Webhooks to the office's DMS: a real HTTP receiver on 127.0.0.1 that fails at first; the
 * configured events arrive signed (HMAC-SHA256 of the exact body with the secret file's content),
 * after a retry, and unconfigured events do not.
 */
t.test('configured events are delivered signed, and retried after a failure', async (t) => {
  const dir = t.testdir();
  const secret = 'bí-mật-webhook-123';
  const secretFile = path.join(dir, 'webhook-secret');
  await writeFile(secretFile, secret + '\n');
  const got: { event: string; body: string; signature: string }[] = [];
  let failuresLeft = 2;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failuresLeft > 0) {
        failuresLeft--;
        res.writeHead(503).end();
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      got.push({ event: String(req.headers['x-edoc-event']), body, signature: String(req.headers['x-edoc-signature']) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

  const env = await makeOffices(dir, [OFFICE_A, OFFICE_B], {
    config: (c, spec) => (spec.id === OFFICE_A.id ? { ...c, webhooks: [{ url, secretFile, events: ['outgoing.queued', 'outgoing.sent'] }] } : c),
    tuning: { webhookBackoff: { baseMs: 100, factor: 2, maxMs: 400, jitter: 0 } },
  });
  t.teardown(() => env.close());
  const [a] = env.offices as [(typeof env.offices)[0]];
  const v = await a.core.documents.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
  await until(() => got.length >= 2, 20_000, 'two deliveries');
  t.same(got.map((g) => g.event).sort(), ['outgoing.queued', 'outgoing.sent']);
  for (const g of got) {
    const expected = `sha256=${createHmac('sha256', secret).update(g.body).digest('hex')}`;
    t.equal(g.signature, expected, `${g.event}: signature matches the body`);
    const parsed = JSON.parse(g.body) as { event: string; at: string; data: { id: string } };
    t.equal(parsed.event, g.event);
    t.equal(parsed.data.id, v.id);
    t.ok(Number.isFinite(Date.parse(parsed.at)));
  }
  t.equal(failuresLeft, 0, 'the failed attempts were retried');
  await until(() => a.core.store.activeCount('webhookQueue') === 0, 20_000, 'queue empty');
  t.notOk(got.some((g) => g.event === 'document.signed'), 'unconfigured events are not sent');
});

t.test('a delivery the DMS could not take survives a restart of the gateway and goes out after it', async (t) => {
  const dir = t.testdir();
  const secretFile = path.join(dir, 'webhook-secret');
  await writeFile(secretFile, 'khóa-webhook\n');
  let up = false;
  const got: string[] = [];
  let refused = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!up) {
        refused++;
        res.writeHead(503).end();
        return;
      }
      got.push(String(req.headers['x-edoc-delivery']));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

  const env = await makeOffices(dir, [OFFICE_A, OFFICE_B], {
    config: (c, spec) => (spec.id === OFFICE_A.id ? { ...c, webhooks: [{ url, secretFile, events: ['outgoing.queued'] }] } : c),
    tuning: { webhookBackoff: { baseMs: 100, factor: 2, maxMs: 400, jitter: 0 } },
  });
  t.teardown(() => env.close());
  const [a] = env.offices as [(typeof env.offices)[0]];
  await a.core.documents.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
  const waiting = await until(() => {
    const q = a.core.store.collection<{ id: string; attempts: number }>('webhookQueue').listActive();
    return q.length === 1 && q[0]!.attempts >= 1 ? q[0]! : null;
  }, 20_000, 'a failed attempt recorded');
  t.ok(refused >= 1, 'the DMS refused it');

  await a.restart();
  t.equal(a.core.store.activeCount('webhookQueue'), 1, 'the delivery is still queued after the restart');
  up = true;
  await until(() => got.length >= 1, 20_000, 'delivered after the restart');
  t.same(got, [waiting.id], 'the same delivery id, delivered once');
  await until(() => a.core.store.activeCount('webhookQueue') === 0, 20_000, 'queue empty');
});
