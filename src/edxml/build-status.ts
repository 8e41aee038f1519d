import type { Writable } from 'node:stream';
import { toWireDateTime } from './dates.js';
import { EDXML_NS, EDXML_PREFIX } from './namespace.js';
import { validateStatusHeader } from './validate.js';
import { XmlOut } from './xml-out.js';
import { writeFileDurably } from './build-edoc.js';
import { writeOrganization, writeResponseFor, writeStaffInfo, writeTraceHeaderList } from './xml-parts.js';
import type { StatusHeader, TraceHeader } from './types.js';

/**
 * Builds a status package (01 arrived … 16 recall refused), laid out as in
 * fixtures/edxml/incoming-status-03.edxml: `Status` directly under `edXMLHeader`.
 * Deterministic like the edoc builder, so a resend is byte-identical.
 */
export interface StatusPackageInput {
  header: StatusHeader;
  traces?: TraceHeader[];
}

export async function buildStatus(input: StatusPackageInput, out: Writable): Promise<{ bytes: number; sha256: string }> {
  const h = input.header;
  validateStatusHeader(h);
  const x = new XmlOut(out);
  x.raw(`<?xml version="1.0" encoding="UTF-8"?>\n<${EDXML_PREFIX}:edXML xmlns:${EDXML_PREFIX}="${EDXML_NS}">`);
  x.open('edXMLEnvelope');
  x.open('edXMLHeader');
  x.open('Status');
  writeResponseFor(x, h.responseFor);
  writeOrganization(x, 'From', h.from);
  x.leaf('StatusCode', h.statusCode);
  x.leaf('Description', h.description);
  x.leaf('Timestamp', toWireDateTime(h.timestamp));
  writeStaffInfo(x, h.staffInfo);
  x.close('Status');
  writeTraceHeaderList(x, input.traces, undefined);
  x.close('edXMLHeader');
  x.raw(`<${EDXML_PREFIX}:edXMLBody/>`);
  x.close('edXMLEnvelope');
  x.raw(`</${EDXML_PREFIX}:edXML>\n`);
  return x.finish();
}

export async function buildStatusFile(input: StatusPackageInput, path: string): Promise<{ bytes: number; sha256: string }> {
  return writeFileDurably(path, (out) => buildStatus(input, out));
}
