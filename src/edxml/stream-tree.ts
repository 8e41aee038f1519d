import { createHash, type Hash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { Base64Decoder } from './base64.js';
import { EdxmlError } from './errors.js';
import { EDXML_NS, XMLDSIG_NS } from './namespace.js';
import type { AttachmentMeta, RawEnvelope } from './types.js';

/**
 * The streaming core of the parser. saxes tokenises (it never expands external entities; any
 * DOCTYPE is refused outright), but saxes gathers a text node whole before reporting it, so the
 * base64 inside `ContentTransferEncoded` never reaches it: input is fed to saxes in pieces ending
 * at `>`, and once the attachment's start tag has been seen, the raw characters up to the next `<`
 * go straight to an incremental base64 decoder and the caller's sink. Everything else becomes a
 * small element tree (the header), bounded in depth, element count and text length.
 */
export interface XNode {
  uri: string;
  local: string;
  text: string;
  children: XNode[];
}

export interface TreeLimits {
  maxBytes: number;
  maxDepth: number;
  maxAttachments: number;
  maxTextChars: number;
  maxElements: number;
  /** Bound on the envelope's raw text kept for signature verification. */
  maxEnvelopeChars: number;
}

export interface AttachmentResult extends AttachmentMeta {
  size: number;
  sha256: string;
  node: XNode;
}

export type OpenAttachment = (meta: AttachmentMeta) => Writable;

interface OpenSink {
  node: XNode;
  meta: AttachmentMeta;
  sink: Writable | null;
  decoder: Base64Decoder;
  hash: Hash;
  size: number;
}

const local = (n: XNode | undefined, name: string): boolean => n !== undefined && n.uri === EDXML_NS && n.local === name;

export class StreamTree {
  root: XNode | null = null;
  readonly attachments: AttachmentResult[] = [];
  envelope: RawEnvelope | null = null;

  private readonly sax = new SaxesParser({ xmlns: true, position: false });
  private readonly stack: XNode[] = [];
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private bytes = 0;
  private elements = 0;
  private attachmentCount = 0;
  private textRun = 0;
  private skipText = false;
  private skipNext = false;
  private current: OpenSink | null = null;
  private readonly sinks: Writable[] = [];
  private sinkError: unknown = null;
  private waitFor: Writable | null = null;
  private rootNs: Record<string, string> = {};
  private head: string[] | null = [];
  private headChars = 0;
  private envStart = -1;
  private envDepth = -1;
  private signatureSeen = false;
  private prologTail = '';

  constructor(
    private readonly limits: TreeLimits,
    private readonly openAttachment: OpenAttachment | undefined,
  ) {
    const s = this.sax;
    s.on('doctype', () => {
      throw new EdxmlError('DTD_FORBIDDEN', 'a DOCTYPE is not allowed in an edXML package');
    });
    s.on('xmldecl', (d) => {
      if (d.encoding !== undefined && !/^utf-?8$/i.test(d.encoding)) throw new EdxmlError('MALFORMED', `unsupported encoding ${d.encoding}`);
    });
    s.on('opentag', (t) => this.onOpen(t));
    s.on('closetag', () => this.onClose());
    s.on('text', (t) => this.onText(t));
    s.on('cdata', (t) => this.onText(t));
    s.on('comment', () => this.afterMarkup());
    s.on('processinginstruction', () => this.afterMarkup());
    s.on('error', (e) => {
      throw new EdxmlError('MALFORMED', `not well-formed XML: ${e.message}`);
    });
  }

  /** Feeds a chunk of raw bytes; returns a stream to wait for (back-pressure) or null. */
  write(chunk: Uint8Array): Writable | null {
    this.bytes += chunk.byteLength;
    if (this.bytes > this.limits.maxBytes) throw new EdxmlError('TOO_LARGE', `package exceeds ${this.limits.maxBytes} bytes`);
    let s: string;
    try {
      s = this.utf8.decode(chunk, { stream: true });
    } catch {
      throw new EdxmlError('MALFORMED', 'package is not valid UTF-8');
    }
    this.consume(s);
    this.throwSinkError();
    const w = this.waitFor;
    this.waitFor = null;
    return w;
  }

  end(): void {
    try {
      this.consume(this.utf8.decode());
    } catch (e) {
      if (e instanceof EdxmlError) throw e;
      throw new EdxmlError('MALFORMED', 'package is not valid UTF-8');
    }
    this.guard(() => this.sax.close());
    if (!this.root) throw new EdxmlError('NOT_EDXML', 'no root element');
    this.throwSinkError();
  }

  /** Destroys every sink still open (after a failure), so callers can drop partial files. */
  abort(reason: unknown): void {
    for (const s of this.sinks) if (!s.destroyed) s.destroy(reason instanceof Error ? reason : undefined);
  }

  /** Sinks that were ended and whose `finish` the caller should await. */
  endedSinks(): Writable[] {
    return this.sinks;
  }

  private consume(s: string): void {
    let i = 0;
    while (i < s.length) {
      if (this.skipText) {
        const lt = s.indexOf('<', i);
        const end = lt < 0 ? s.length : lt;
        if (end > i) this.attachmentText(s.slice(i, end));
        if (lt < 0) return;
        this.skipText = false;
        i = lt;
      }
      const gt = s.indexOf('>', i);
      const end = gt < 0 ? s.length : gt + 1;
      this.checkTextRun(s, i, end, gt >= 0);
      const piece = s.slice(i, end);
      this.refuseDoctype(piece);
      this.keepHead(piece);
      this.skipNext = false;
      this.guard(() => this.sax.write(piece));
      this.skipText = this.skipNext;
      i = end;
    }
  }

  /** A text run with no markup longer than the bound is refused before saxes gathers it. */
  private checkTextRun(s: string, from: number, end: number, endsAtGt: boolean): void {
    const lt = s.indexOf('<', from);
    const beforeMarkup = lt >= 0 && lt < end ? lt - from : end - from;
    if (this.textRun + beforeMarkup > this.limits.maxTextChars) throw new EdxmlError('TOO_LARGE', `a text node exceeds ${this.limits.maxTextChars} characters`);
    if (endsAtGt) this.textRun = 0;
    else {
      const lastLt = s.lastIndexOf('<', end - 1);
      this.textRun = lastLt >= from ? end - lastLt : this.textRun + (end - from);
    }
  }

  /**
   * saxes reports a DOCTYPE only once it has read all of it; a huge internal subset would be
   * gathered first. Refuse it as soon as `<!DOCTYPE` shows in the prolog instead.
   */
  private refuseDoctype(piece: string): void {
    if (this.root !== null) return;
    const probe = this.prologTail + piece;
    if (probe.includes('<!DOCTYPE')) throw new EdxmlError('DTD_FORBIDDEN', 'a DOCTYPE is not allowed in an edXML package');
    this.prologTail = probe.slice(-8);
  }

  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      if (e instanceof EdxmlError) throw e;
      throw new EdxmlError('MALFORMED', `not well-formed XML: ${(e as Error).message}`);
    }
  }

  private keepHead(piece: string): void {
    if (this.head === null) return;
    this.head.push(piece);
    this.headChars += piece.length;
    if (this.headChars > this.limits.maxEnvelopeChars) throw new EdxmlError('TOO_LARGE', `the envelope exceeds ${this.limits.maxEnvelopeChars} characters`);
  }

  private onOpen(t: SaxesTagNS): void {
    const depth = this.stack.length + 1;
    if (depth > this.limits.maxDepth) throw new EdxmlError('TOO_DEEP', `elements nested deeper than ${this.limits.maxDepth}`);
    if (++this.elements > this.limits.maxElements) throw new EdxmlError('TOO_LARGE', `more than ${this.limits.maxElements} elements`);
    const node: XNode = { uri: t.uri, local: t.local, text: '', children: [] };
    const parent = this.stack[this.stack.length - 1];
    if (!parent) {
      if (!local(node, 'edXML')) throw new EdxmlError('NOT_EDXML', `root element {${t.uri}}${t.local} is not edXML`);
      this.root = node;
      this.rootNs = { ...t.ns };
    } else {
      parent.children.push(node);
    }
    this.stack.push(node);
    if (depth === 2 && local(node, 'edXMLEnvelope') && this.envStart < 0) {
      // The piece just fed ends at this tag's `>`; the tag began at the last `<` (never inside
      // an attribute value, where `<` is not allowed).
      this.envStart = this.headText().lastIndexOf('<');
      this.envDepth = depth;
    }
    if (node.uri === XMLDSIG_NS && node.local === 'Signature' && this.envDepth > 0) this.signatureSeen = true;
    if (local(node, 'Attachment') && local(parent, 'AttachmentEncoded')) {
      if (++this.attachmentCount > this.limits.maxAttachments) throw new EdxmlError('TOO_MANY_ATTACHMENTS', `more than ${this.limits.maxAttachments} attachments`);
    }
    if (local(node, 'ContentTransferEncoded') && local(parent, 'Attachment') && parent) this.startAttachment(parent, node);
    this.afterMarkup();
  }

  private onClose(): void {
    const node = this.stack.pop();
    if (node && this.current?.node === node) this.endAttachment();
    if (node && this.envStart >= 0 && this.stack.length + 1 === this.envDepth && local(node, 'edXMLEnvelope')) {
      const head = this.headText();
      this.envelope = { xml: head.slice(this.envStart), namespaces: this.rootNs, hasSignature: this.signatureSeen };
      this.head = null;
      this.envDepth = -1;
    }
    this.afterMarkup();
  }

  /** After any markup inside an attachment element, raw text goes to the decoder again. */
  private afterMarkup(): void {
    this.skipNext = this.current !== null && this.stack[this.stack.length - 1] === this.current.node;
  }

  private onText(text: string): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) return;
    if (this.current && top === this.current.node) return this.attachmentText(text);
    top.text += text;
    if (top.text.length > this.limits.maxTextChars) throw new EdxmlError('TOO_LARGE', `text of ${top.local} exceeds ${this.limits.maxTextChars} characters`);
  }

  private headText(): string {
    if (this.head === null) return '';
    // Join once and keep the joined string, so repeated calls stay linear.
    const joined = this.head.join('');
    this.head = [joined];
    return joined;
  }

  private startAttachment(attachment: XNode, node: XNode): void {
    const meta = metaOf(attachment, this.attachments.length);
    let sink: Writable | null = null;
    if (this.openAttachment) {
      try {
        sink = this.openAttachment(meta);
      } catch (e) {
        throw new EdxmlError('SINK_FAILED', 'cannot open an attachment sink', undefined, { cause: e });
      }
      sink.on('error', (e) => {
        this.sinkError ??= e;
      });
      this.sinks.push(sink);
    }
    this.current = { node, meta, sink, decoder: new Base64Decoder(), hash: createHash('sha256'), size: 0 };
  }

  private attachmentText(text: string): void {
    const c = this.current;
    if (!c) return;
    this.emit(c, c.decoder.push(text));
  }

  private emit(c: OpenSink, bytes: Buffer): void {
    if (bytes.length === 0) return;
    c.size += bytes.length;
    c.hash.update(bytes);
    if (c.sink && !c.sink.write(bytes)) this.waitFor = c.sink;
  }

  private endAttachment(): void {
    const c = this.current;
    if (!c) return;
    this.current = null;
    this.emit(c, c.decoder.end());
    c.sink?.end();
    const parent = this.stack[this.stack.length - 1];
    this.attachments.push({ ...c.meta, size: c.size, sha256: c.hash.digest('hex'), node: parent ?? c.node });
  }

  private throwSinkError(): void {
    if (this.sinkError !== null) throw new EdxmlError('SINK_FAILED', 'an attachment sink failed', undefined, { cause: this.sinkError });
  }
}

/** Metadata known when the content starts (the elements before ContentTransferEncoded). */
export function metaOf(attachment: XNode, index: number): AttachmentMeta {
  const meta: AttachmentMeta = { index };
  for (const c of attachment.children) {
    if (c.uri !== EDXML_NS) continue;
    const v = c.text.trim();
    if (c.local === 'ContentId') meta.contentId = v.replace(/^cid:/i, '');
    else if (c.local === 'AttachmentName') meta.name = v;
    else if (c.local === 'Description') meta.description = v;
    else if (c.local === 'ContentType') meta.contentType = v;
  }
  return meta;
}
