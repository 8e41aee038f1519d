import t from 'tap';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { makeSelfSigned } from '../../src/http/tls.js';
import { OFFICE_A, SAMPLE_PDF, makeOffices, metadataFor, testLogger } from '../support/office.js';
import { FAST_SCRYPT, PASSWORD, form, makeHttp } from '../support/http.js';
import { Auth } from '../../src/auth/index.js';
import { MemoryBudget } from '../../src/http/memory-budget.js';
import { watch } from 'node:fs';

/**
 * Upload limits (413 without filling the disk, temp dir empty afterwards), sign-in rate limiting
 * (429 + Retry-After, the right password works after the window) and the API over a real TLS
 * socket.
 */
const dir = t.testdir();
const env = await makeOffices(dir, [OFFICE_A]);
t.teardown(() => env.close());
const a = env.offices[0]!;
const LIMIT = 64 * 1024;

t.test('uploads over limits.maxUploadBytes: 413, nothing left on disk', async (t) => {
  const h = await makeHttp(a, { limits: { maxUploadBytes: LIMIT, maxAttachments: 2 }, uploadDir: path.join(dir, 'up-small') });
  t.teardown(() => h.close());
  const big = Buffer.alloc(LIMIT * 4, 0x41);
  const parts = (file: Buffer) => form([{ name: 'metadata', value: JSON.stringify(metadataFor([OFFICE_A.id])) }, { name: 'file', file: { filename: 'big.pdf', content: Buffer.concat([Buffer.from('%PDF-1.4\n'), file]) } }]);
  // Within the declared-length allowance: refused while streaming, when the total crosses the limit.
  const f1 = parts(big);
  const r1 = await h.app.inject({ method: 'POST', url: '/api/v1/documents', headers: { ...f1.headers, authorization: h.keys.clerk }, payload: f1.payload });
  t.equal(r1.statusCode, 413);
  t.equal(r1.json().error.code, 'PAYLOAD_TOO_LARGE');
  // Split over several files: the limit is on the request's total.
  const half = Buffer.alloc(LIMIT / 2 + 10, 0x42);
  const f2 = form([{ name: 'file', file: { filename: 'a.pdf', content: Buffer.concat([Buffer.from('%PDF-'), half]) } }, { name: 'attachments', file: { filename: 'b.bin', content: half } }]);
  t.equal((await h.app.inject({ method: 'POST', url: '/api/v1/documents', headers: { ...f2.headers, authorization: h.keys.clerk }, payload: f2.payload })).statusCode, 413);
  // Declared far over the limit: refused before reading.
  const f3 = parts(Buffer.alloc(3 * 1024 * 1024));
  t.equal((await h.app.inject({ method: 'POST', url: '/api/v1/sign', headers: { ...f3.headers, authorization: h.keys.clerk }, payload: f3.payload })).statusCode, 413);
  t.same(await readdir(h.uploadDir), [], 'temp dir empty');

  // Over a real socket, chunked (no Content-Length): the server stops at the limit.
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (h.app.server.address() as AddressInfo).port;
  const boundary = 'edocboundary';
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/sign', headers: { authorization: h.keys.clerk, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`);
    let sent = 0;
    const pump = (): void => {
      // 16 MiB offered in total; the server answers long before.
      while (sent < 16 * 1024 * 1024) {
        sent += 64 * 1024;
        if (!req.write(Buffer.alloc(64 * 1024, 0x43))) {
          req.once('drain', pump);
          return;
        }
      }
      req.end(`\r\n--${boundary}--\r\n`);
    };
    pump();
  });
  t.equal(status, 413);
  for (let i = 0; i < 100 && (await readdir(h.uploadDir)).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.same(await readdir(h.uploadDir), [], 'temp dir empty after the streamed refusal');
});

t.test('a client that goes away mid-upload leaves no temp file', async (t) => {
  const h = await makeHttp(a, { uploadDir: path.join(dir, 'up-abort') });
  t.teardown(() => h.close());
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (h.app.server.address() as AddressInfo).port;
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/sign', headers: { authorization: h.keys.clerk, 'content-type': 'multipart/form-data; boundary=b0', 'transfer-encoding': 'chunked' } });
  req.on('error', () => undefined);
  req.write('--b0\r\nContent-Disposition: form-data; name="file"; filename="x.pdf"\r\n\r\n%PDF-1.4\n');
  // Past the sign route's in-memory allowance (2 MiB), so the upload spills to a temp file.
  req.write(Buffer.alloc(3 * 1024 * 1024, 0x44));
  // Wait until the server has started the temp file, then vanish.
  for (let i = 0; i < 200 && (await readdir(h.uploadDir)).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  t.equal((await readdir(h.uploadDir)).length, 1, 'the upload was being written to disk');
  req.destroy();
  for (let i = 0; i < 200 && (await readdir(h.uploadDir)).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.same(await readdir(h.uploadDir), [], 'removed after the abort');
});

t.test('sign requests share one memory budget: past it uploads spill to disk, and every reservation comes back', async (t) => {
  const budget = new MemoryBudget(1536 * 1024);
  const h = await makeHttp(a, { uploadDir: path.join(dir, 'up-mem'), signMemory: budget });
  t.teardown(() => h.close());
  const pdf = await readFile(SAMPLE_PDF);
  const sign = (format = 'auto') => {
    const f = form([{ name: 'file', file: { filename: 'a.pdf', content: pdf, contentType: 'application/pdf' } }, { name: 'format', value: format }]);
    return h.app.inject({ method: 'POST', url: '/api/v1/sign', headers: { ...f.headers, authorization: h.keys.clerk }, payload: f.payload });
  };
  const poll = async (ok: () => boolean, what: string) => {
    for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    t.ok(ok(), what);
  };

  // Alone, a small upload stays in memory and gives its reservation back with the answer.
  const created = new Set<string>();
  const watcher = watch(h.uploadDir, (_ev, name) => void (name && created.add(String(name))));
  t.teardown(() => watcher.close());
  t.equal((await sign()).statusCode, 200);
  await poll(() => budget.inUse === 0, 'released after the answer');
  // Refused after the upload was kept (the format is checked once the form is read).
  t.equal((await sign('png')).statusCode, 422);
  await poll(() => budget.inUse === 0, 'released after an error answer');
  await new Promise((r) => setTimeout(r, 200));
  t.same([...created], [], 'no temp file so far');

  // A slow client holds 750 KiB of upload (1.5 MiB reserved: the upload and its signed copy).
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (h.app.server.address() as AddressInfo).port;
  const slow = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/sign', headers: { authorization: h.keys.clerk, 'content-type': 'multipart/form-data; boundary=b0', 'transfer-encoding': 'chunked' } });
  slow.on('error', () => undefined);
  slow.write('--b0\r\nContent-Disposition: form-data; name="file"; filename="x.pdf"\r\n\r\n%PDF-1.4\n');
  slow.write(Buffer.alloc(750 * 1024, 0x44));
  await poll(() => budget.inUse >= 1500 * 1024, 'the slow upload is held in memory');

  // Meanwhile another request does not fit: its upload goes to a temp file, and it is signed all the same.
  const r = await sign();
  t.equal(r.statusCode, 200, r.body.slice(0, 200));
  t.ok(r.rawPayload.subarray(0, pdf.length).equals(pdf), 'signed by incremental update');
  await new Promise((res) => setTimeout(res, 200));
  t.ok([...created].some((n) => n.startsWith('up-')), 'the second upload spilled to disk');
  t.ok(budget.inUse >= 1500 * 1024 && budget.inUse <= budget.total, 'the spilled request holds nothing; the slow one still does');

  slow.destroy();
  await poll(() => budget.inUse === 0, 'the client that went away gave its reservation back');
});

t.test('60 wrong passwords: 429 with Retry-After; the right one works after the window', async (t) => {
  // The real 15-minute window on a clock the test moves: 60 scrypt checks on a loaded 2-core box
  // can outlast any short real window, and waiting it out is what the clock is for.
  let skewMs = 0;
  const auth = new Auth({ store: a.core.store, logger: testLogger(), scrypt: FAST_SCRYPT, now: () => Date.now() + skewMs });
  const h = await makeHttp(a, { auth, uploadDir: path.join(dir, 'up-rl') });
  t.teardown(() => h.close());
  await h.auth.addUser('ke.toan', 'viewer', PASSWORD, 'test');
  const attempt = (password: string, username = 'ke.toan', remoteAddress = '127.0.0.1') =>
    h.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress, payload: { username, password } });
  const statuses: number[] = [];
  let retryAfter = 0;
  for (let i = 0; i < 60; i++) {
    const r = await attempt(`sai-${i}-mat-khau`);
    statuses.push(r.statusCode);
    if (r.statusCode === 429) {
      retryAfter = Number(r.headers['retry-after']);
      t.equal(r.json().error.code, 'RATE_LIMITED');
    }
  }
  t.same(statuses.slice(0, 10), Array(10).fill(401), 'the first 10 are plain failures');
  t.same(statuses.slice(10), Array(50).fill(429), 'then 429');
  t.ok(retryAfter >= 890 && retryAfter <= 900, `Retry-After in seconds, the rest of the 15 minutes (${retryAfter})`);
  const blocked = await attempt(PASSWORD);
  t.equal(blocked.statusCode, 429, 'even the right password waits out the window');
  skewMs += Number(blocked.headers['retry-after']) * 1000 + 50;
  const ok = await attempt(PASSWORD);
  t.equal(ok.statusCode, 200, 'the right password works after the window');

  // Per address: many users guessed from one machine.
  for (let i = 0; i < 30; i++) await attempt('wrong-password', `user${i}`, '10.9.9.9');
  const other = await attempt(PASSWORD, 'ke.toan', '10.9.9.9');
  t.equal(other.statusCode, 429, 'the address is blocked');
  t.equal((await attempt(PASSWORD, 'ke.toan', '10.9.9.10')).statusCode, 200, 'other addresses are not');
});

t.test('over a real TLS socket with a self-signed certificate', async (t) => {
  const tls = await makeSelfSigned('edoc-test');
  const h = await makeHttp(a, { https: { cert: tls.cert, key: tls.key }, uploadDir: path.join(dir, 'up-tls') });
  t.teardown(() => h.close());
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (h.app.server.address() as AddressInfo).port;
  const call = (method: string, p: string, body?: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders; fingerprint: string }>((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port, method, path: p, rejectUnauthorized: false, headers }, (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers, fingerprint }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const health = await call('GET', '/api/v1/health');
  t.equal(health.status, 200);
  t.equal(health.fingerprint, tls.fingerprint, 'the server presents the certificate we made');
  t.match(JSON.parse(health.body), { status: 'ok', hsm: { state: 'ready' } });
  const signIn = await call('POST', '/api/v1/session', JSON.stringify({ username: 'nobody', password: 'wrong-password' }), { 'content-type': 'application/json' });
  t.equal(signIn.status, 401);
  await h.auth.addUser('tls.user', 'viewer', PASSWORD, 'test');
  const ok = await call('POST', '/api/v1/session', JSON.stringify({ username: 'tls.user', password: PASSWORD }), { 'content-type': 'application/json' });
  t.equal(ok.status, 200);
  t.match(String(ok.headers['set-cookie']), /; Secure/, 'Secure cookie under TLS');
  // 3 MiB: far above fastify's JSON body limit (1 MiB), well under limits.maxUploadBytes.
  const file = Buffer.concat([await readFile(SAMPLE_PDF), Buffer.alloc(3 * 1024 * 1024, 0x0a)]);
  const f = form([{ name: 'file', file: { filename: 'a.pdf', content: file, contentType: 'application/pdf' } }]);
  const verify = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/verify', rejectUnauthorized: false, headers: { ...f.headers, authorization: h.keys.viewer } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(f.payload);
  });
  // The padding hides the PDF trailer from the reader: received whole, then judged unreadable.
  t.equal(verify.status, 422, 'a 3 MiB multipart upload over TLS is received, not refused as too large');
  t.equal(JSON.parse(verify.body).error.code, 'MALFORMED_PDF');
});
