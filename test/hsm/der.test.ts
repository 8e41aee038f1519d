import t from 'tap';
import fc from 'fast-check';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { ecdsaDerToRaw, ecdsaRawToDer, sha256DigestInfo } from '../../src/hsm/der.js';

t.test('raw r‖s → DER → raw is the identity (leading zeros, high bits)', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (raw) => {
      const back = ecdsaDerToRaw(ecdsaRawToDer(raw), 32);
      return Buffer.compare(Buffer.from(back), Buffer.from(raw)) === 0;
    }),
    { numRuns: 500 },
  );
  const zeros = new Uint8Array(64);
  zeros[31] = 1;
  zeros[63] = 0x80;
  t.same([...ecdsaDerToRaw(ecdsaRawToDer(zeros), 32)], [...zeros]);
});

t.test('converted signatures verify with OpenSSL in the other encoding', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  for (let i = 0; i < 50; i++) {
    const data = Buffer.from(`message ${i}`);
    const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    t.ok(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, ecdsaRawToDer(raw)), `raw→DER ${i}`);
    const der = sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
    t.ok(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, ecdsaDerToRaw(der, 32)), `DER→raw ${i}`);
  }
});

t.test('DigestInfo for SHA-256 is the RFC 8017 encoding', async (t) => {
  const d = new Uint8Array(32).fill(7);
  t.equal(Buffer.from(sha256DigestInfo(d)).toString('hex'), `3031300d060960864801650304020105000420${'07'.repeat(32)}`);
  t.throws(() => sha256DigestInfo(new Uint8Array(20)), RangeError);
  t.throws(() => ecdsaRawToDer(new Uint8Array(63)), RangeError);
});
