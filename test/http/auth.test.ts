import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InjectOptions } from 'fastify';
import { OFFICE_A, makeOffices } from '../support/office.js';
import { PASSWORD, makeHttp } from '../support/http.js';

/**
 * Roles, sessions, CSRF, languages, /metrics access, the OpenAPI document and the SSE stream, over
 * the real core of one office. Every endpoint of the contract is asked without credentials, with
 * a bad key, with the role below the one it needs, and with the one it needs.
 */
const dir = t.testdir();
const env = await makeOffices(dir, [OFFICE_A]);
t.teardown(() => env.close());
const a = env.offices[0]!;
const h = await makeHttp(a, { sseHeartbeatMs: 50 });
t.teardown(() => h.close());
const today = new Date().toISOString().slice(0, 10);

type Role = 'viewer' | 'clerk' | 'admin';
const ENDPOINTS: { method: InjectOptions['method']; url: string; role: Role; payload?: Record<string, unknown> }[] = [
  { method: 'GET', url: '/api/v1/documents', role: 'viewer' },
  { method: 'GET', url: '/api/v1/documents/out-x', role: 'viewer' },
  { method: 'GET', url: '/api/v1/documents/out-x/file', role: 'viewer' },
  { method: 'GET', url: '/api/v1/documents/out-x/attachments/0', role: 'viewer' },
  { method: 'GET', url: '/api/v1/documents/out-x/edxml', role: 'viewer' },
  { method: 'POST', url: '/api/v1/verify', role: 'viewer' },
  { method: 'GET', url: '/api/v1/organs', role: 'viewer' },
  { method: 'GET', url: `/api/v1/reports/summary?from=${today}&to=${today}`, role: 'viewer' },
  { method: 'GET', url: '/api/v1/session', role: 'viewer' },
  { method: 'POST', url: '/api/v1/documents', role: 'clerk' },
  { method: 'POST', url: '/api/v1/sign', role: 'clerk' },
  { method: 'POST', url: '/api/v1/documents/in-x/status', role: 'clerk', payload: { code: '03' } },
  { method: 'POST', url: '/api/v1/documents/out-x/recall', role: 'clerk', payload: { reason: 'x' } },
  { method: 'GET', url: '/api/v1/users', role: 'admin' },
  { method: 'POST', url: '/api/v1/users', role: 'admin', payload: { username: 'ok-user', role: 'viewer', password: PASSWORD } },
  { method: 'POST', url: '/api/v1/users/nobody/disable', role: 'admin' },
  { method: 'GET', url: '/api/v1/apikeys', role: 'admin' },
  { method: 'POST', url: '/api/v1/apikeys', role: 'admin', payload: { name: 'dms', role: 'clerk' } },
  { method: 'DELETE', url: '/api/v1/apikeys/nobody', role: 'admin' },
];
const below: Record<Role, Role | null> = { viewer: null, clerk: 'viewer', admin: 'clerk' };
const code = (r: { json(): unknown }) => (r.json() as { error: { code: string } }).error.code;

t.test('every endpoint: 401 without or with bad credentials, 403 below its role, served at its role', async (t) => {
  for (const e of ENDPOINTS) {
    const base = { method: e.method, url: e.url, ...(e.payload ? { payload: e.payload } : {}) };
    const none = await h.app.inject(base);
    t.equal(none.statusCode, 401, `${e.method} ${e.url} without credentials`);
    t.equal(code(none), 'UNAUTHENTICATED');
    const bad = await h.app.inject({ ...base, headers: { authorization: 'Bearer edk_AAAAAAAAAAAA_' + 'A'.repeat(43) } });
    t.equal(bad.statusCode, 401, `${e.method} ${e.url} with an unknown key`);
    const low = below[e.role];
    if (low) {
      const r = await h.app.inject({ ...base, headers: { authorization: h.keys[low] } });
      t.equal(r.statusCode, 403, `${e.method} ${e.url} as ${low}`);
      t.equal(code(r), 'FORBIDDEN');
    }
    const ok = await h.app.inject({ ...base, headers: { authorization: h.keys[e.role] } });
    t.notOk([401, 403, 500].includes(ok.statusCode), `${e.method} ${e.url} as ${e.role}: ${ok.statusCode}`);
  }
  // SSE as a viewer streams forever: only the refusals are asked through inject.
  t.equal((await h.app.inject({ url: '/api/v1/events' })).statusCode, 401);
  t.equal((await h.app.inject({ url: '/api/v1/health' })).statusCode, 200, 'health needs no credentials');
  const page = await h.app.inject({ url: '/' });
  t.equal(page.statusCode, 200, 'the staff web page is mounted by build()');
  t.match(page.headers['content-type'], /^text\/html/);
});

t.test('staff sessions: cookie attributes, who-am-I, sign-out, disabled users', async (t) => {
  await h.auth.addUser('thu.ha', 'clerk', PASSWORD, 'test');
  const wrong = await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'thu.ha', password: 'sai mật khẩu' } });
  t.equal(wrong.statusCode, 401);
  const ghost = await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'khong-co', password: PASSWORD } });
  t.same(ghost.json(), wrong.json(), 'unknown user and wrong password look the same');
  t.equal(code(await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'thu.ha' } })), 'VALIDATION_FAILED');
  t.equal(code(await h.app.inject({ method: 'POST', url: '/api/v1/session', headers: { 'content-type': 'application/json' }, payload: '{"username":' })), 'BAD_REQUEST');

  const ok = await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'thu.ha', password: PASSWORD } });
  t.equal(ok.statusCode, 200);
  t.same(ok.json(), { user: { username: 'thu.ha', role: 'clerk', kind: 'user' } });
  const setCookie = String(ok.headers['set-cookie']);
  t.match(setCookie, /^edoc_session=[A-Za-z0-9_-]{43};/);
  t.match(setCookie, /HttpOnly/);
  t.match(setCookie, /SameSite=Strict/);
  t.notMatch(setCookie, /Secure/, 'no Secure flag on plain loopback HTTP (it is set under TLS)');
  const cookie = setCookie.split(';')[0]!;
  const token = cookie.split('=')[1]!;
  t.notOk(JSON.stringify(a.core.store.activeGet('sessions', token) ?? null).includes(token), 'the token is not a stored key');
  t.notOk([...a.core.store.activeValues('sessions')].some((s) => JSON.stringify(s).includes(token)), 'only its hash is stored');

  const me = await h.app.inject({ url: '/api/v1/session', headers: { cookie } });
  t.equal(me.json().user.username, 'thu.ha');

  // CSRF: cookie + state change needs Origin = Host.
  const recall = (headers: Record<string, string>) => h.app.inject({ method: 'POST', url: '/api/v1/documents/out-x/recall', headers: { cookie, ...headers }, payload: { reason: 'x' } });
  t.equal(code(await recall({})), 'FORBIDDEN', 'missing Origin on a cookie POST');
  t.equal(code(await recall({ origin: 'https://evil.example' })), 'FORBIDDEN', 'foreign Origin');
  t.equal(code(await recall({ origin: 'http://localhost:80' })), 'NOT_FOUND', 'same origin passes (the document does not exist)');
  t.equal(code(await h.app.inject({ method: 'POST', url: '/api/v1/documents/out-x/recall', headers: { authorization: h.keys.clerk }, payload: { reason: 'x' } })), 'NOT_FOUND', 'API keys need no Origin');
  t.equal(code(await h.app.inject({ method: 'POST', url: '/api/v1/session', headers: { origin: 'https://evil.example' }, payload: { username: 'thu.ha', password: PASSWORD } })), 'FORBIDDEN', 'no sign-in from another site');

  const out = await h.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie, origin: 'http://localhost:80' } });
  t.equal(out.statusCode, 204);
  t.match(String(out.headers['set-cookie']), /edoc_session=;/);
  t.equal((await h.app.inject({ url: '/api/v1/session', headers: { cookie } })).statusCode, 401, 'the session is gone');

  const again = (await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'thu.ha', password: PASSWORD } })).headers['set-cookie'];
  const cookie2 = String(again).split(';')[0]!;
  t.equal((await h.app.inject({ url: '/api/v1/documents', headers: { cookie: cookie2 } })).statusCode, 200);
  await h.auth.disableUser('thu.ha', 'test');
  t.equal((await h.app.inject({ url: '/api/v1/documents', headers: { cookie: cookie2 } })).statusCode, 401, 'disabling ends the session at once');
  t.equal((await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'thu.ha', password: PASSWORD } })).statusCode, 401, 'and refuses sign-in');
});

t.test('API keys: shown once, stored as a hash, revocable', async (t) => {
  const created = await h.app.inject({ method: 'POST', url: '/api/v1/apikeys', headers: { authorization: h.keys.admin }, payload: { name: 'phan-mem-qlvb', role: 'clerk' } });
  t.equal(created.statusCode, 201);
  const key = created.json().key as string;
  t.match(key, /^edk_/);
  const listed = await h.app.inject({ url: '/api/v1/apikeys', headers: { authorization: h.keys.admin } });
  t.notOk(listed.body.includes(key), 'never listed');
  t.notOk([...a.core.store.activeValues('apikeys')].some((k) => JSON.stringify(k).includes(key.slice(17))), 'the secret is not stored');
  t.equal((await h.app.inject({ url: '/api/v1/organs', headers: { authorization: `Bearer ${key}` } })).statusCode, 200);
  t.equal((await h.app.inject({ method: 'DELETE', url: '/api/v1/apikeys/phan-mem-qlvb', headers: { authorization: h.keys.admin } })).statusCode, 200);
  t.equal((await h.app.inject({ url: '/api/v1/organs', headers: { authorization: `Bearer ${key}` } })).statusCode, 401, 'revoked');
  t.equal(code(await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: h.keys.admin }, payload: { username: 'x', role: 'boss', password: 'short' } })), 'VALIDATION_FAILED');
  t.equal(code(await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: h.keys.admin }, payload: { username: 'ok-user', role: 'viewer', password: PASSWORD } })), 'CONFLICT', 'the user exists');
});

t.test('messages in Vietnamese by default, English on request', async (t) => {
  const vi = await h.app.inject({ url: '/api/v1/documents' });
  t.match(vi.json().error.message, /đăng nhập/);
  const en = await h.app.inject({ url: '/api/v1/documents', headers: { 'accept-language': 'en-US,en;q=0.9' } });
  t.match(en.json().error.message, /sign in/i);
  const prefersVi = await h.app.inject({ url: '/api/v1/documents', headers: { 'accept-language': 'en;q=0.5, vi' } });
  t.match(prefersVi.json().error.message, /đăng nhập/);
  t.equal(en.json().error.code, vi.json().error.code);
  const nf = await h.app.inject({ url: '/api/v1/nothing-here', headers: { 'accept-language': 'vi' } });
  t.equal(nf.statusCode, 404);
  t.equal(nf.json().error.code, 'NOT_FOUND');
});

t.test('/metrics: loopback without credentials, otherwise viewer', async (t) => {
  const local = await h.app.inject({ url: '/metrics' });
  t.equal(local.statusCode, 200);
  t.match(local.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  for (const name of ['edoc_documents', 'edoc_sign_duration_seconds_bucket', 'edoc_queue_depth', 'edoc_hsm_errors_total', 'edoc_axis_errors_total', 'edoc_event_loop_delay_seconds']) {
    t.match(local.body, new RegExp(`^# TYPE ${name.replace(/_bucket$/, '')} `, 'm'), name);
  }
  const lan = await h.app.inject({ url: '/metrics', remoteAddress: '192.168.1.20' });
  t.equal(lan.statusCode, 401);
  t.equal((await h.app.inject({ url: '/metrics', remoteAddress: '192.168.1.20', headers: { authorization: h.keys.viewer } })).statusCode, 200);
});

t.test('GET /api/openapi.json describes the contract', async (t) => {
  const doc = (await h.app.inject({ url: '/api/openapi.json' })).json() as {
    openapi: string;
    paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, { enum?: string[] }> } }> } }>>;
    info: { description: string };
  };
  t.match(doc.openapi, /^3\./);
  for (const p of ['/api/v1/health', '/api/v1/session', '/api/v1/sign', '/api/v1/verify', '/api/v1/documents', '/api/v1/documents/{id}', '/api/v1/documents/{id}/file', '/api/v1/documents/{id}/attachments/{n}', '/api/v1/documents/{id}/edxml', '/api/v1/documents/{id}/status', '/api/v1/documents/{id}/recall', '/api/v1/organs', '/api/v1/reports/summary', '/api/v1/events', '/metrics']) {
    t.ok(doc.paths[p], p);
  }
  t.ok(doc.paths['/api/v1/documents']?.['post']?.requestBody?.content['multipart/form-data'], 'submission is multipart');
  t.same(doc.paths['/api/v1/documents/{id}/status']?.['post']?.requestBody?.content['application/json']?.schema.properties['code']?.enum, ['02', '03', '04', '05', '06', '15', '16']);
  t.match(doc.info.description, /15.*16.*recall/);
});

t.test('Server-Sent Events: events, heartbeats, cleaned up on disconnect', async (t) => {
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (h.app.server.address() as AddressInfo).port;
  const received: string[] = [];
  let res!: http.IncomingMessage;
  const req = http.get({ host: '127.0.0.1', port, path: '/api/v1/events', headers: { authorization: h.keys.viewer } }, (r) => {
    res = r;
    r.setEncoding('utf8');
    r.on('data', (d: string) => received.push(d));
  });
  req.on('error', () => undefined);
  const until = async (fn: () => boolean, what: string) => {
    for (let i = 0; i < 400 && !fn(); i++) await new Promise((r) => setTimeout(r, 25));
    t.ok(fn(), what);
  };
  await until(() => received.join('').includes(': connected'), 'stream opened');
  t.match(res.headers['content-type'], /^text\/event-stream/);
  a.bus.publish('outgoing.sent', { id: 'out-1', documentId: 'D-1' });
  await until(() => received.join('').includes('event: outgoing.sent\ndata: {"id":"out-1","documentId":"D-1"}\n\n'), 'an event arrives as event/data');
  await until(() => received.join('').includes(': ping'), 'heartbeat');
  const clients = async () => Number(/^edoc_sse_clients (\d+)/m.exec((await h.app.inject({ url: '/metrics' })).body)?.[1]);
  t.equal(await clients(), 1);
  req.destroy();
  for (let i = 0; i < 200 && (await clients()) !== 0; i++) await new Promise((r) => setTimeout(r, 25));
  t.equal(await clients(), 0, 'the stream is cleaned up when the client goes');
});
