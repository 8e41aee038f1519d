import { parseWireDateTime } from './dates.js';
import { EdxmlError } from './errors.js';
import type { XNode } from './stream-tree.js';
import { child, defined, find, organization, required, responseFor, staffInfo, text } from './tree-read.js';
import type { StatusHeader } from './types.js';

/**
 * Maps a status package. Where `Status` sits is the least certain part of the format, so the
 * block is whatever element holds `StatusCode`, and a field missing there is looked for elsewhere
 * in the header (e.g. `From` in a `MessageHeader` beside a `Status`), never in trace headers.
 */
export function mapStatusHeader(header: XNode, statusCode: XNode, block: XNode): StatusHeader {
  const mh = child(header, 'MessageHeader');
  const look = (name: string): XNode | undefined => child(block, name) ?? child(header, name) ?? child(mh, name) ?? find(block, name);
  const codeText = statusCode.text.trim();
  if (!/^\d{1,2}$/.test(codeText)) throw new EdxmlError('INVALID_FIELD', 'StatusCode is not a status code', 'StatusCode');

  const tsLeaf = look('Timestamp');
  const tsText = tsLeaf?.text.trim();
  const timestamp = tsText ? parseWireDateTime(tsText) : null;
  if (tsText && timestamp === null) throw new EdxmlError('INVALID_FIELD', 'Timestamp is not a timestamp', 'Status/Timestamp');

  const descriptionHolder = child(block, 'Description') ? block : child(mh, 'Description') ? mh : header;
  return defined({
    from: organization(look('From'), 'Status/From'),
    responseFor: responseFor(required(look('ResponseFor'), 'Status/ResponseFor'), 'Status/ResponseFor'),
    statusCode: codeText.padStart(2, '0'),
    description: text(descriptionHolder, 'Description'),
    timestamp: required(timestamp ?? undefined, 'Status/Timestamp'),
    staffInfo: staffInfo(look('StaffInfo')),
  });
}
