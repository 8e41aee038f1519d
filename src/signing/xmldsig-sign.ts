import { createHash } from 'node:crypto';
import type { Document, Element } from '@xmldom/xmldom';
import type { SigningToken } from '../hsm/port.js';
import { ecdsaDerToRaw } from '../hsm/der.js';
import { DS_NS, SIGNATURE_METHOD, URI, canonicalize, parseXmlStrict, serializeXml } from './xmldsig-dom.js';

/**
 * Enveloped XMLDSig over the whole document (Reference URI=""), exclusive C14N, SHA-256, the
 * signer certificate in KeyInfo/X509Data. The key stays in the HSM: we canonicalise SignedInfo
 * ourselves and hand its SHA-256 to `token.signDigest`.
 *
 * The Signature element is appended as the last child of the root without any whitespace around
 * it, so the enveloped-signature transform gives back exactly the bytes digested here.
 */
function el(doc: Document, name: string, attrs: Record<string, string> = {}, text?: string): Element {
  const e = doc.createElementNS(DS_NS, `ds:${name}`);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.appendChild(doc.createTextNode(text));
  return e;
}

function append(parent: Element, ...children: Element[]): Element {
  for (const c of children) parent.appendChild(c);
  return parent;
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

export async function signXmlEnveloped(xml: string, token: SigningToken): Promise<string> {
  const doc = parseXmlStrict(xml);
  const root = doc.documentElement!;
  const cert = await token.certificate();

  // Reference: the document before the signature exists = the document after the enveloped
  // transform removes it.
  const digest = createHash('sha256').update(canonicalize(doc, URI.excC14n)).digest();

  const signedInfo = append(
    el(doc, 'SignedInfo'),
    el(doc, 'CanonicalizationMethod', { Algorithm: URI.excC14n }),
    el(doc, 'SignatureMethod', { Algorithm: SIGNATURE_METHOD[token.mechanism] }),
    append(
      el(doc, 'Reference', { URI: '' }),
      append(el(doc, 'Transforms'), el(doc, 'Transform', { Algorithm: URI.enveloped }), el(doc, 'Transform', { Algorithm: URI.excC14n })),
      el(doc, 'DigestMethod', { Algorithm: URI.sha256 }),
      el(doc, 'DigestValue', {}, b64(digest)),
    ),
  );
  const signatureValue = el(doc, 'SignatureValue');
  const signature = append(
    el(doc, 'Signature'),
    signedInfo,
    signatureValue,
    append(el(doc, 'KeyInfo'), append(el(doc, 'X509Data'), el(doc, 'X509Certificate', {}, b64(cert)))),
  );
  root.appendChild(signature);

  // SignedInfo is canonicalised in place: exclusive C14N only carries the namespaces it uses.
  const toSign = canonicalize(signedInfo, URI.excC14n);
  let value = await token.signDigest(new Uint8Array(createHash('sha256').update(toSign).digest()));
  // XMLDSig's ECDSA SignatureValue is r‖s (RFC 4050 / 6931), not the DER the token adapter returns.
  if (token.mechanism === 'ECDSA') value = ecdsaDerToRaw(value, 32);
  signatureValue.appendChild(doc.createTextNode(b64(value)));
  return serializeXml(doc);
}
