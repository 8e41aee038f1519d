import t from 'tap';
import { createHash } from 'node:crypto';
import { formatTimestamp, hashFileMatches, parseTimestamp, sdkHashHex, signHeaders, verifyHeaders } from '../../src/relay/vpcp/signing.js';

const SECRET = 'c2VjcmV0LWEtMTIzNDU2Nzg5MA==';

t.test('golden: headers and HMAC match a hand computation (openssl dgst -sha256 -hmac)', async (t) => {
  const h = signHeaders({ systemid: '000.46.24.H44', timestamp: '27112026T163005+0123', docId: 'abc' }, SECRET);
  t.equal(h['XroadVnpt-sign-header'], '{"XroadVnpt-systemid":"000.46.24.H44","XroadVnpt-timestamp":"27112026T163005+0123","XroadVnpt-docId":"abc"}');
  t.equal(h['XroadVnpt-sign-header-key'], 'systemid;timestamp;docId');
  // printf '%s' '<the JSON above>' | openssl dgst -sha256 -hmac 'c2VjcmV0LWEtMTIzNDU2Nzg5MA=='
  // (the key is the base64 TEXT's bytes, not the decoded secret)
  t.equal(h['XroadVnpt-hash-header'], '861816523fe4431848843dbc6150b2ec47409183b29d677f16e9a30d6ecd3599');
  t.equal(h['XroadVnpt-systemid'], '000.46.24.H44');
  t.equal(h['XroadVnpt-docId'], 'abc');
  t.equal(h['XroadVnpt-version'], '3.0.201608');
});

t.test('timestamp ddMMyyyyTHHmmss+SSSS in Vietnam time, round trip', async (t) => {
  const at = new Date('2026-11-27T09:30:05.012Z');
  t.equal(formatTimestamp(at), '27112026T163005+0012');
  t.equal(parseTimestamp('27112026T163005+0012')?.toISOString(), at.toISOString());
  t.equal(parseTimestamp('31022026T000000+0000'), null, 'no 31 February');
  t.equal(parseTimestamp('2026-11-27T16:30:05'), null);
});

t.test('hash-file: the SDK form (no zero padding) is produced, both forms accepted', async (t) => {
  const d = createHash('sha256').update('hello').digest();
  // 2c f2 4d ba 5f b0 a3 0e … 73 04 …: 0e → "e", 04 → "4".
  t.equal(sdkHashHex(d), '2cf24dba5fb0a3e26e83b2ac5b9e29e1b161e5c1fa7425e7343362938b9824');
  t.ok(hashFileMatches('2cf24dba5fb0a3e26e83b2ac5b9e29e1b161e5c1fa7425e7343362938b9824', d));
  t.ok(hashFileMatches('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824', d), 'zero-padded form');
  t.notOk(hashFileMatches('2cf24dba5fb0a3e26e83b2ac5b9e29e1b161e5c1fa7425e7343362938b9825', d));
});

t.test('verify: accepts its own signature, refuses every tampering', async (t) => {
  const now = new Date('2026-11-27T09:30:05Z');
  const fields = { systemid: 'A1', timestamp: formatTimestamp(now), docId: 'd-1', status: 'done' };
  const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
  const headers = lower(signHeaders(fields, SECRET));
  const opts = { secretOf: (id: string) => (id === 'A1' ? SECRET : undefined), now };
  const good = verifyHeaders(headers, opts);
  t.same(good, { ok: true, systemId: 'A1', fields });

  const code = (h: Record<string, string>, o = opts) => {
    const r = verifyHeaders(h, o);
    return r.ok ? 'OK' : r.code;
  };
  t.equal(code({ ...headers, 'xroadvnpt-docid': 'd-2' }), 'AUTH_HEADER_MISMATCH', 'a field header changed after signing');
  t.equal(code({ ...headers, 'xroadvnpt-hash-header': '0'.repeat(64) }), 'AUTH_BAD_SIGNATURE');
  t.equal(code(lower(signHeaders(fields, 'wrong secret'))), 'AUTH_BAD_SIGNATURE', 'wrong secret');
  t.equal(code(headers, { ...opts, secretOf: () => undefined }), 'AUTH_UNKNOWN_SYSTEM');
  t.equal(code(headers, { ...opts, now: new Date(now.getTime() + 6 * 60_000) }), 'AUTH_STALE_TIMESTAMP', 'replayed 6 minutes later');
  t.equal(code(headers, { ...opts, now: new Date(now.getTime() + 4 * 60_000) }), 'OK', 'within the skew');
  const { ['xroadvnpt-sign-header']: _omit, ...noSign } = headers;
  t.equal(code(noSign), 'AUTH_MISSING');
  const ua = '{"XroadVnpt-systemid":"A1","XroadVnpt-timestamp":"x"}';
  t.equal(code({ ...headers, 'xroadvnpt-sign-header': ua }), 'AUTH_BAD_SIGNATURE', 'sign-header swapped');
});
