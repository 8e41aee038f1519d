import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { AppError } from '../errors.js';
import { EDXML_NS } from '../edxml/index.js';
import type { SigningToken } from '../hsm/port.js';
import type { TrustStore, VerifiedSignature } from '../signing/types.js';

/**
 * The optional envelope XMLDSig (`signing.signEnvelope`): an integrity bonus in transit; the legal
 * signatures are in the PDF. Only the `edXMLEnvelope` element is signed (enveloped signature over
 * the envelope, as a standalone fragment declaring the edXML namespace itself), never the base64
 * attachments: they are covered by the PDF signatures and by the manifest, and signing them would
 * mean holding a 27 MB package in memory. The package file is rewritten by streaming: prefix +
 * signed envelope + the rest copied as is.
 */
const ROOT_OPEN = '<edXML:edXML xmlns:edXML="' + EDXML_NS + '">';
const ENV_OPEN = '<edXML:edXMLEnvelope>';
const ENV_CLOSE = '</edXML:edXMLEnvelope>';
// The header part of a package is small; a bound keeps a malformed build from reading the world.
const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;

async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let pos = 0;
    for (;;) {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      pos += bytesRead;
      if (buf.subarray(0, bytesRead).includes(ENV_CLOSE) || Buffer.concat(chunks).includes(ENV_CLOSE)) break;
      if (pos > MAX_ENVELOPE_BYTES) break;
    }
    return Buffer.concat(chunks);
  } finally {
    await fh.close();
  }
}

/** Signs the envelope of a package built by our edXML builder, from `input` into `output`. */
export async function signPackageEnvelope(input: string, output: string, token: SigningToken): Promise<void> {
  const head = await readHead(input);
  const rootAt = head.indexOf(ROOT_OPEN);
  const envAt = head.indexOf(ENV_OPEN);
  const closeAt = head.indexOf(ENV_CLOSE);
  if (rootAt < 0 || envAt < 0 || closeAt < 0) throw new AppError('INTERNAL', 'package envelope not found for signing');
  const inner = head.subarray(envAt + ENV_OPEN.length, closeAt).toString('utf8');
  const fragment = `<edXML:edXMLEnvelope xmlns:edXML="${EDXML_NS}">${inner}${ENV_CLOSE}`;
  // xmldsigjs is loaded on first use, not at start-up (it is not needed to become ready).
  const { signXmlEnveloped } = await import('../signing/xmldsig-sign.js');
  const signed = (await signXmlEnveloped(fragment, token)).replace(/^<\?xml[^>]*\?>\s*/, '');
  const out = createWriteStream(output, { mode: 0o600 });
  out.write(head.subarray(0, envAt));
  out.write(signed);
  const rest = createReadStream(input, { start: closeAt + ENV_CLOSE.length, highWaterMark: 256 * 1024 });
  for await (const chunk of rest) {
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
  const fh = await open(output, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Verifies an envelope signature as received (the raw `edXMLEnvelope` text and the namespace
 * bindings in scope at it, from the parser). Bindings the fragment does not declare itself are
 * added to its start tag so it parses alone.
 */
export async function verifyEnvelope(raw: { xml: string; namespaces: Record<string, string> }, trust: TrustStore): Promise<VerifiedSignature[]> {
  const m = /^<([^\s>/]+)([^>]*)>/.exec(raw.xml);
  if (!m) return [];
  const declared = m[2] ?? '';
  let extra = '';
  for (const [prefix, uri] of Object.entries(raw.namespaces)) {
    const attr = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
    if (!new RegExp(`\\s${attr.replace(':', '\\:')}\\s*=`).test(declared)) extra += ` ${attr}="${uri.replace(/"/g, '&quot;')}"`;
  }
  const xml = `<${m[1]}${extra}${declared}>` + raw.xml.slice(m[0].length);
  const { verifyXmlSignatures } = await import('../signing/xmldsig-verify.js');
  return verifyXmlSignatures(xml, trust);
}
