/**
 * Signing competence ("thẩm quyền ký", edXML `SignerInfo/Competence`): the prefix in front of the
 * signer's position when they sign on someone's behalf (NĐ 30 Phụ lục I).
 */
export const COMPETENCES = [
  { id: 'TM.', vi: 'Thay mặt', en: 'on behalf of (collective)' },
  { id: 'KT.', vi: 'Ký thay', en: 'signed for (deputy)' },
  { id: 'TL.', vi: 'Thừa lệnh', en: 'by order of' },
  { id: 'TUQ.', vi: 'Thừa ủy quyền', en: 'by authorisation of' },
  { id: 'Q.', vi: 'Quyền', en: 'acting' },
] as const;

export type Competence = (typeof COMPETENCES)[number]['id'];

/**
 * Read a competence leniently: any case, surrounding spaces, with or without the final dot
 * ("tm" → "TM."). Returns undefined for anything else.
 */
export function readCompetence(x: string): Competence | undefined {
  const t = x.trim().toUpperCase().replace(/\.$/, '');
  return COMPETENCES.find((c) => c.id === `${t}.`)?.id;
}
