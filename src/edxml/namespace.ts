/** The edXML namespace (QCVN 102:2016). Elements are matched on it plus their local name, never on a prefix. */
export const EDXML_NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';
/** The prefix we write; receivers must not depend on it. */
export const EDXML_PREFIX = 'edXML';
export const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
