/**
 * The small DER pieces signing needs around a raw token operation: PKCS#1 v1.5 DigestInfo for
 * CKM_RSA_PKCS, and ECDSA's r‖s (what PKCS#11 returns) ↔ `ECDSA-Sig-Value` (what CMS and
 * XMLDSig-with-DER verifiers expect).
 */

/** DER prefix of DigestInfo { AlgorithmIdentifier sha256 NULL, OCTET STRING (32) } (RFC 8017 §9.2). */
const SHA256_DIGEST_INFO_PREFIX = Uint8Array.from([
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
]);

export function sha256DigestInfo(digest: Uint8Array): Uint8Array {
  if (digest.length !== 32) throw new RangeError('a SHA-256 digest is 32 bytes');
  const out = new Uint8Array(SHA256_DIGEST_INFO_PREFIX.length + 32);
  out.set(SHA256_DIGEST_INFO_PREFIX, 0);
  out.set(digest, SHA256_DIGEST_INFO_PREFIX.length);
  return out;
}

function derInteger(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const trimmed = bytes.subarray(i);
  // A leading 1 bit would make the INTEGER negative: prefix a zero byte.
  const pad = (trimmed[0] ?? 0) & 0x80 ? 1 : 0;
  const out = new Uint8Array(2 + pad + trimmed.length);
  out[0] = 0x02;
  out[1] = pad + trimmed.length;
  out.set(trimmed, 2 + pad);
  return out;
}

/** Raw r‖s (each half the length) → DER SEQUENCE { INTEGER r, INTEGER s }. Curves up to P-384. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0 || raw.length > 96) throw new RangeError('bad raw ECDSA signature length');
  const half = raw.length / 2;
  const r = derInteger(raw.subarray(0, half));
  const s = derInteger(raw.subarray(half));
  const body = r.length + s.length;
  const out = new Uint8Array(2 + body);
  out[0] = 0x30;
  out[1] = body;
  out.set(r, 2);
  out.set(s, 2 + r.length);
  return out;
}

/** DER `ECDSA-Sig-Value` → raw r‖s of `size` bytes each (XMLDSig's ECDSA SignatureValue form). */
export function ecdsaDerToRaw(der: Uint8Array, size: number): Uint8Array {
  if (der[0] !== 0x30) throw new RangeError('not a DER ECDSA signature');
  let p = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
  const out = new Uint8Array(size * 2);
  for (let k = 0; k < 2; k++) {
    if (der[p] !== 0x02) throw new RangeError('not a DER ECDSA signature');
    const len = der[p + 1]!;
    let v = der.subarray(p + 2, p + 2 + len);
    while (v.length > size && v[0] === 0) v = v.subarray(1);
    if (v.length > size) throw new RangeError('ECDSA integer too long');
    out.set(v, k * size + (size - v.length));
    p += 2 + len;
  }
  return out;
}
