import { DOMParser, XMLSerializer, onErrorStopParsing, type Document, type Element, type Node } from '@xmldom/xmldom';
import * as xmlCore from 'xml-core';
import * as xmldsig from 'xmldsigjs';
import type { Mechanism } from '../config/schema.js';
import { AppError } from '../errors.js';

/**
 * The XML side of XMLDSig: a parser that refuses DTDs (no entity expansion, no XXE), the
 * algorithm URIs we write and read, and canonicalisation through xmldsigjs's C14N transforms
 * (only those: signing and verifying are ours, since the key lives in the HSM).
 */
xmlCore.setNodeDependencies({ DOMParser, XMLSerializer });

export const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const URI = {
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  excC14nWithComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  c14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  c14nWithComments: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  ecdsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  // RFC 6931 §2.3.10: RSASSA-PSS with SHA-256, MGF1-SHA-256, salt = 32.
  rsaPssSha256: 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
} as const;

export const SIGNATURE_METHOD: Record<Mechanism, string> = {
  'RSA-PKCS': URI.rsaSha256,
  'RSA-PSS': URI.rsaPssSha256,
  ECDSA: URI.ecdsaSha256,
};

/** Parse XML; any DOCTYPE (and so any entity declaration) is refused before parsing. */
export function parseXmlStrict(xml: string): Document {
  if (/<!DOCTYPE/i.test(xml)) throw new AppError('BAD_REQUEST', 'XML with a DOCTYPE is refused (no DTDs or entities)');
  let doc: Document;
  try {
    doc = new DOMParser({ onError: onErrorStopParsing, locator: false }).parseFromString(xml, 'application/xml');
  } catch (e) {
    throw new AppError('BAD_REQUEST', `malformed XML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!doc.documentElement) throw new AppError('BAD_REQUEST', 'malformed XML: no root element');
  return doc;
}

export function serializeXml(node: Node): string {
  return new XMLSerializer().serializeToString(node);
}

/** Canonical form of a node (document or element) with one of the supported C14N methods. */
export function canonicalize(node: Node, method: string): Uint8Array {
  let t: xmldsig.Transform;
  switch (method) {
    case URI.excC14n:
      t = new xmldsig.XmlDsigExcC14NTransform();
      break;
    case URI.excC14nWithComments:
      t = new xmldsig.XmlDsigExcC14NWithCommentsTransform();
      break;
    case URI.c14n:
      t = new xmldsig.XmlDsigC14NTransform();
      break;
    case URI.c14nWithComments:
      t = new xmldsig.XmlDsigC14NWithCommentsTransform();
      break;
    default:
      throw new AppError('BAD_REQUEST', `unsupported canonicalisation ${method}`);
  }
  t.LoadInnerXml(node as unknown as Parameters<xmldsig.Transform["LoadInnerXml"]>[0]);
  return new TextEncoder().encode(t.GetOutput() as string);
}

/** Direct element children in the XMLDSig namespace with the given local name. */
export function dsChildren(el: Element, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === DS_NS && (n as Element).localName === localName) out.push(n as Element);
  }
  return out;
}

export function dsChild(el: Element, localName: string): Element | null {
  return dsChildren(el, localName)[0] ?? null;
}
