/** edXML packages: build (streaming) and parse (streaming, XXE-safe). Pure: no adapters. */
export * from './types.js';
export { EdxmlError, isEdxmlError, type EdxmlErrorCode } from './errors.js';
export { EDXML_NS } from './namespace.js';
export { buildEdoc, buildEdocFile, derivedContentId, type EdocPackageInput, type BuildResult } from './build-edoc.js';
export { buildStatus, buildStatusFile, type StatusPackageInput } from './build-status.js';
export { parseEdxml, parseEdxmlFile, parseEdxmlBuffer, DEFAULT_LIMITS, type ParseOptions, type ParseSource } from './parse.js';
export { localDateTimeOf, parseWireDate, parseWireDateTime, VIETNAM_OFFSET_MINUTES } from './dates.js';
export { Base64Decoder, Base64Encoder } from './base64.js';
