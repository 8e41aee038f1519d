import { X509Certificate as NodeX509 } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { AppError } from '../errors.js';
import type { SignerSummary, TrustStore } from './types.js';

/**
 * Certificates and trust: summaries for people, the trust store of `trust.anchors`, and chain
 * checks at a given time. Signature checks use Node's OpenSSL-backed X509Certificate (issuer
 * match, key identifiers, keyCertSign), names are printed with @peculiar/x509 (RFC 4514 style,
 * Vietnamese kept as UTF-8).
 */
export function summarizeCertificate(der: Uint8Array): SignerSummary {
  const c = new (peculiarX509().X509Certificate)(der);
  return {
    subject: c.subject,
    issuer: c.issuer,
    serial: c.serialNumber,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
  };
}

type PeculiarX509 = typeof import('@peculiar/x509');
let x509: PeculiarX509 | undefined;

/**
 * @peculiar/x509 with its ASN.1 schemas is ≈ 19 MB resident, and only names need it: loaded on the
 * first summary, not at start-up (the trust store and chain checks use Node's own X509Certificate).
 * Its CommonJS build is what `import` resolves to as well (package "main"), so this is the same
 * instance TLS certificate generation uses, and the call stays synchronous for its callers.
 */
function peculiarX509(): PeculiarX509 {
  if (!x509) {
    const require = createRequire(import.meta.url);
    require('reflect-metadata'); // x509's decorators need it first
    x509 = require('@peculiar/x509') as PeculiarX509;
  }
  return x509;
}

/** All CERTIFICATE blocks of a PEM text, or the bytes themselves when they are DER. */
export function parseCertificates(bytes: Uint8Array): Uint8Array[] {
  const text = Buffer.from(bytes).toString('latin1');
  if (!text.includes('-----BEGIN')) return bytes.length > 0 && bytes[0] === 0x30 ? [bytes] : [];
  const out: Uint8Array[] = [];
  const re = /-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END (?:X509 |TRUSTED )?CERTIFICATE-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  return out;
}

export function trustStoreFromDer(anchors: Uint8Array[]): TrustStore {
  const list = [...anchors];
  return { anchors: () => list };
}

/**
 * Trust anchors from `trust.anchors`: a directory of PEM/DER files (.pem .crt .cer .der), or a
 * single such file (`verify --trust CA.pem`). Unparseable files are skipped, not fatal: one bad
 * file must not make every signature untrusted.
 */
export async function loadTrustStore(path: string): Promise<TrustStore> {
  let files: string[];
  try {
    const st = await stat(path);
    files = st.isDirectory()
      ? (await readdir(path)).filter((f) => /\.(pem|crt|cer|der)$/i.test(f)).sort().map((f) => join(path, f))
      : [path];
  } catch (e) {
    throw new AppError('CONFIG_INVALID', `cannot read trust anchors at ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const anchors: Uint8Array[] = [];
  for (const f of files) {
    for (const der of parseCertificates(new Uint8Array(await readFile(f)))) {
      try {
        new NodeX509(der);
        anchors.push(der);
      } catch {
        /* not a certificate */
      }
    }
  }
  return trustStoreFromDer(anchors);
}

export interface ChainCheck {
  trusted: boolean;
  /** Leaf first, up to and including the anchor when one was reached. */
  chain: Uint8Array[];
  problems: string[];
}

function validAt(c: NodeX509, at: Date): boolean {
  return new Date(c.validFrom).getTime() <= at.getTime() && at.getTime() <= new Date(c.validTo).getTime();
}

function sameDer(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

/** Build the chain from the leaf through `intermediates` to an anchor and check it at `at`. */
export function checkCertificateChain(opts: { leaf: Uint8Array; intermediates: Uint8Array[]; trust: TrustStore; at: Date }): ChainCheck {
  const problems: string[] = [];
  const anchors = opts.trust.anchors().map((d) => ({ der: d, cert: new NodeX509(d) }));
  const pool = opts.intermediates.flatMap((d) => {
    try {
      return [{ der: d, cert: new NodeX509(d) }];
    } catch {
      return [];
    }
  });
  let current = { der: opts.leaf, cert: new NodeX509(opts.leaf) };
  const chain: Uint8Array[] = [current.der];
  for (let depth = 0; depth < 10; depth++) {
    if (!validAt(current.cert, opts.at)) problems.push(`certificate "${current.cert.subject.replace(/\n/g, ', ')}" is not valid at ${opts.at.toISOString()}`);
    if (anchors.some((a) => sameDer(a.der, current.der))) return { trusted: problems.length === 0, chain, problems };
    const issuedBy = (c: { cert: NodeX509 }): boolean => current.cert.checkIssued(c.cert) && current.cert.verify(c.cert.publicKey);
    const anchor = anchors.find(issuedBy);
    if (anchor) {
      chain.push(anchor.der);
      if (!validAt(anchor.cert, opts.at)) problems.push('the trust anchor is not valid at the signing time');
      return { trusted: problems.length === 0, chain, problems };
    }
    const next = pool.find((c) => !chain.some((d) => sameDer(d, c.der)) && issuedBy(c));
    if (!next) break;
    if (!next.cert.ca) {
      problems.push('an intermediate certificate is not a CA');
      break;
    }
    chain.push(next.der);
    current = next;
  }
  problems.push('the certificate does not chain to a trusted anchor');
  return { trusted: false, chain, problems };
}

/** Order token certificates into the signer's chain (leaf excluded), issuer by issuer. */
export function orderChain(leaf: Uint8Array, candidates: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let current = new NodeX509(leaf);
  const rest = candidates.filter((c) => !sameDer(c, leaf));
  for (let depth = 0; depth < 10; depth++) {
    const next = rest.find((d) => !out.some((o) => sameDer(o, d)) && current.checkIssued(new NodeX509(d)));
    if (!next) break;
    out.push(next);
    const cert = new NodeX509(next);
    if (cert.checkIssued(cert)) break; // self-signed root
    current = cert;
  }
  return out;
}
