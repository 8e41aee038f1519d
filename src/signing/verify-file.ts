import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { AppError } from '../errors.js';
import { verifyCadesDetached } from './cms-lazy.js';
import { readHead, sniffFileKind } from './file-kind.js';
import { verifyPdf } from './pdf/index.js';
import type { TrustStore, VerifiedSignature, VerifyResult } from './types.js';
import { verifyXmlSignatures } from './xmldsig-verify.js';

/**
 * `verify` for every input: a detached signature when one is given (CAdES `.p7s` over the file),
 * otherwise what the file carries — PDF signatures, XML signatures, or an attached CMS.
 * `valid` means at least one signature, and every one intact and trusted.
 */
export interface VerifyFileOptions {
  /** Path or bytes of the signed file (or of the content of a detached signature). */
  file: string | Uint8Array;
  /** Detached CMS (DER or PEM), path or bytes. */
  signature?: string | Uint8Array;
  trust: TrustStore;
  /** The organisation's certificate, to mark its own signatures. */
  orgCert?: Uint8Array;
}

async function bytesOf(x: string | Uint8Array): Promise<Uint8Array> {
  return typeof x === 'string' ? new Uint8Array(await readFile(x)) : x;
}

/** A `.p7s` may come as PEM (`-----BEGIN PKCS7-----` / `CMS`): accept both. */
function cmsDer(bytes: Uint8Array): Uint8Array {
  const text = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  if (!text.includes('-----BEGIN')) return bytes;
  const body = Buffer.from(bytes).toString('latin1').replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(body, 'base64'));
}

export function summarize(signatures: VerifiedSignature[]): VerifyResult {
  const valid = signatures.length > 0 && signatures.every((s) => s.integrity === 'valid' && s.certificateTrusted);
  return { valid, signatures };
}

export async function verifyFile(opts: VerifyFileOptions): Promise<VerifyResult> {
  const extra = opts.orgCert ? { organisationCert: opts.orgCert } : {};
  if (opts.signature !== undefined) {
    const cms = cmsDer(await bytesOf(opts.signature));
    const content = typeof opts.file === 'string' ? createReadStream(opts.file) : opts.file;
    return summarize([await verifyCadesDetached({ cms, content, trust: opts.trust, ...extra })]);
  }
  switch (sniffFileKind(await readHead(opts.file))) {
    case 'pdf':
      return summarize(await verifyPdf(opts.file, opts.trust, opts.orgCert ? { orgCert: opts.orgCert } : {}));
    case 'xml': {
      const xml = Buffer.from(await bytesOf(opts.file)).toString('utf8');
      return summarize(await verifyXmlSignatures(xml, opts.trust, extra));
    }
    case 'cms':
      // An attached CMS (.p7m): the content travels inside it.
      return summarize([await verifyCadesDetached({ cms: await bytesOf(opts.file), trust: opts.trust, ...extra })]);
    default:
      throw new AppError('BAD_REQUEST', 'the file carries no signature of its own: give the detached signature (.p7s) too');
  }
}
