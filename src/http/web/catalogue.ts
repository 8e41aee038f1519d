import {
  COMPETENCES,
  DOCUMENT_TYPES,
  INCOMING_TRANSITIONS,
  ORGAN_ID_MAX_LENGTH,
  PRIORITIES,
  SECRECY_LEVELS,
  STATUS_CODE_TABLE,
} from '../../domain/index.js';

/**
 * The domain facts the staff page needs, taken from domain/ at start so the browser never keeps a
 * second copy that could drift: document types (Vietnamese names), priorities, secrecy levels,
 * signing competences, status codes with their labels and the incoming transitions (which action
 * buttons a document in a given state offers).
 */
export interface WebCatalogue {
  types: { id: string; name: string; abbreviation: string | null; pilot: boolean }[];
  priorities: { value: number; vi: string; en: string }[];
  secrecy: { id: string; vi: string; en: string }[];
  competences: { id: string; vi: string; en: string }[];
  statusCodes: { code: string; vi: string; en: string; sentBy: string }[];
  incomingTransitions: { from: string; code: string; to: string }[];
  organId: { pattern: string; maxLength: number };
}

export function webCatalogue(): WebCatalogue {
  return {
    types: DOCUMENT_TYPES.map((t) => ({ id: t.id, name: t.name, abbreviation: t.abbreviation, pilot: t.pilot })),
    priorities: PRIORITIES.map((p) => ({ value: p.value, vi: p.name, en: p.en })),
    secrecy: SECRECY_LEVELS.map((s) => ({ id: s.id, vi: s.name, en: s.en })),
    competences: COMPETENCES.map((c) => ({ id: c.id, vi: c.vi, en: c.en })),
    statusCodes: STATUS_CODE_TABLE.map((s) => ({ code: s.code, vi: s.vi, en: s.en, sentBy: s.sentBy })),
    incomingTransitions: INCOMING_TRANSITIONS.map(([from, code, to]) => ({ from, code, to })),
    // The same syntax as domain/organ-id.ts (QĐ 20/2020: dot-separated groups of 0-9 A-Z).
    organId: { pattern: '^[0-9A-Z]+(\\.[0-9A-Z]+)*$', maxLength: ORGAN_ID_MAX_LENGTH },
  };
}
