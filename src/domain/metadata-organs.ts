import { parseOrganId } from './organ-id.js';
import { canonicalDocumentId, parseDocumentId } from './document-id.js';
import { Problems, isAbsent, isObject, own, rejectUnknownKeys } from './metadata-fields.js';

/**
 * The OrganId-bearing fields of the metadata: the recipients (1..n unique valid OrganIds, compared
 * after normalisation so `h44` and `H44` are one recipient) and `responseFor`.
 */
export interface RecipientsRead {
  ids: string[] | undefined;
  /** `recipients[i]` fields whose problem is an invalid id (the caller answers UNKNOWN_RECIPIENT). */
  invalidFields: Set<string>;
}

export function readRecipients(p: Problems, value: unknown, field: string, max: number): RecipientsRead {
  const invalidFields = new Set<string>();
  if (isAbsent(value)) {
    p.add(field, 'is required');
    return { ids: undefined, invalidFields };
  }
  if (!Array.isArray(value)) {
    p.add(field, 'must be an array of OrganIds');
    return { ids: undefined, invalidFields };
  }
  if (value.length === 0 || value.length > max) {
    p.add(field, `must have 1 to ${max} recipients`);
    return { ids: undefined, invalidFields };
  }
  const ids: string[] = [];
  const firstIndex = new Map<string, number>();
  let bad = false;
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    const f = `${field}[${i}]`;
    const r = parseOrganId(item);
    if (!r.ok) {
      p.add(f, r.problem);
      invalidFields.add(f);
      bad = true;
      continue;
    }
    const seen = firstIndex.get(r.id);
    if (seen !== undefined) {
      p.add(f, `duplicates ${field}[${seen}]`);
      bad = true;
      continue;
    }
    firstIndex.set(r.id, i);
    ids.push(r.id);
  }
  return { ids: bad ? undefined : ids, invalidFields };
}

export function readResponseFor(p: Problems, value: unknown, field: string): { organId: string; documentId: string } | undefined {
  if (isAbsent(value)) return undefined;
  if (!isObject(value)) {
    p.add(field, 'must be an object');
    return undefined;
  }
  const organ = parseOrganId(own(value, 'organId'));
  if (!organ.ok) p.add(`${field}.organId`, isAbsent(own(value, 'organId')) ? 'is required' : organ.problem);
  const rawId = own(value, 'documentId');
  const doc = parseDocumentId(rawId);
  if (!doc.ok) p.add(`${field}.documentId`, isAbsent(rawId) ? 'is required' : doc.problem);
  rejectUnknownKeys(p, value, ['organId', 'documentId'], `${field}.`);
  if (!organ.ok || !doc.ok || typeof rawId !== 'string') return undefined;
  return { organId: organ.id, documentId: canonicalDocumentId(rawId) };
}
