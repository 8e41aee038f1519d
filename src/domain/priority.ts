/**
 * Urgency ("độ khẩn") as edXML `OtherInfo/Priority` (domain.md §3, observed on the axis).
 * Higher priority is signed and sent first.
 */
export const PRIORITIES = [
  { value: 0, name: 'Thường', en: 'Normal' },
  { value: 1, name: 'Khẩn', en: 'Urgent' },
  { value: 2, name: 'Thượng khẩn', en: 'Very urgent' },
  { value: 3, name: 'Hỏa tốc', en: 'Express' },
  { value: 4, name: 'Hỏa tốc hẹn giờ', en: 'Express, timed' },
] as const;

export type Priority = (typeof PRIORITIES)[number]['value'];

export const DEFAULT_PRIORITY: Priority = 0;

export function isPriority(x: unknown): x is Priority {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 4;
}

/** The Vietnamese name of a priority ("Hỏa tốc"). */
export function priorityName(p: Priority): string {
  return PRIORITIES[p].name;
}

/** The English name of a priority. */
export function priorityNameEn(p: Priority): string {
  return PRIORITIES[p].en;
}

/**
 * Lenient reading of an incoming `Priority` element's text: "0".."4" with optional spaces.
 * Anything else is treated as normal priority by the caller; returns undefined so it can log it.
 */
export function parsePriority(text: unknown): Priority | undefined {
  if (typeof text === 'number') return isPriority(text) ? text : undefined;
  if (typeof text !== 'string') return undefined;
  const t = text.trim();
  if (!/^[0-4]$/.test(t)) return undefined;
  return Number(t) as Priority;
}

/** Sort comparator: higher priority first (the outbox and the signing queue use it). */
export function byPriorityDescending(a: { priority: Priority }, b: { priority: Priority }): number {
  return b.priority - a.priority;
}
