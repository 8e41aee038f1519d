import { toWireDate, toWireDateTime } from './dates.js';
import type { XmlOut } from './xml-out.js';
import type { Business, Organization, ResponseFor, StaffInfo, TraceHeader } from './types.js';

/** Element groups shared by edoc and status packages, in the order they travel. */

export function writeOrganization(x: XmlOut, tag: string, o: Organization): void {
  x.open(tag);
  x.leaf('OrganId', o.organId, `${tag}.OrganId`);
  x.leaf('OrganizationInCharge', o.organizationInCharge);
  x.leaf('OrganName', o.organName);
  x.leaf('OrganAdd', o.organAdd);
  x.leaf('Email', o.email);
  x.leaf('Telephone', o.telephone);
  x.leaf('Fax', o.fax);
  x.leaf('Website', o.website);
  x.close(tag);
}

export function writeStaffInfo(x: XmlOut, s: StaffInfo | undefined): void {
  if (!s) return;
  x.open('StaffInfo');
  x.leaf('Department', s.department);
  x.leaf('Staff', s.staff);
  x.leaf('Email', s.email);
  x.leaf('Mobile', s.mobile);
  x.close('StaffInfo');
}

export function writeResponseFor(x: XmlOut, r: ResponseFor): void {
  x.open('ResponseFor');
  x.leaf('OrganId', r.organId);
  x.leaf('Code', r.code);
  x.leaf('PromulgationDate', toWireDate(r.promulgationDate));
  x.leaf('DocumentId', r.documentId);
  x.close('ResponseFor');
}

export function writeTraceHeaderList(x: XmlOut, traces: TraceHeader[] | undefined, business: Business | undefined): void {
  if ((!traces || traces.length === 0) && !business) return;
  x.open('TraceHeaderList');
  // Bussiness first, as in packages seen on the axis (fixtures/edxml/incoming-edoc.edxml).
  if (business) {
    x.open('Bussiness');
    x.leaf('DocumentId', business.documentId);
    x.leaf('BussinessDocType', business.businessDocType);
    x.leaf('BussinessDocReason', business.businessDocReason);
    x.leaf('Paper', business.paper);
    writeStaffInfo(x, business.staffInfo);
    x.close('Bussiness');
  }
  for (const t of traces ?? []) {
    x.open('TraceHeader');
    x.leaf('OrganId', t.organId);
    x.leaf('Timestamp', toWireDateTime(t.timestamp));
    x.close('TraceHeader');
  }
  x.close('TraceHeaderList');
}
