import { foldKey } from './text.js';

/**
 * Secrecy ("độ mật"). State-secret documents (Mật, Tối mật, Tuyệt mật) must never travel over the
 * axis (QĐ 28/2018/QĐ-TTg): the gateway refuses them before storing anything. The rule is
 * fail-closed: **anything but `none` is secret**, including values we do not recognise.
 */
export const SECRECY_LEVELS = [
  { id: 'none', name: 'Không mật', en: 'Not secret' },
  { id: 'mat', name: 'Mật', en: 'Confidential' },
  { id: 'toi-mat', name: 'Tối mật', en: 'Secret' },
  { id: 'tuyet-mat', name: 'Tuyệt mật', en: 'Top secret' },
] as const;

export type Secrecy = (typeof SECRECY_LEVELS)[number]['id'];
export type SecretLevel = Exclude<Secrecy, 'none'>;

/**
 * Read a secrecy value leniently: the API ids (any case, surrounding spaces) and the Vietnamese
 * names with or without diacritics ("Tối mật", "toi mat"). Only the id `none` reads as not secret:
 * a Vietnamese "không mật" is not accepted as none, because guessing "not secret" is the one
 * mistake that must not happen. Unrecognised values read as 'unrecognised' (and are secret).
 */
export function readSecrecy(x: unknown): Secrecy | 'unrecognised' {
  if (typeof x !== 'string' || x.length > 100) return 'unrecognised';
  const key = foldKey(x).replace(/[\s_]+/g, '-');
  if (key === 'none') return 'none';
  if (key === 'mat') return 'mat';
  if (key === 'toi-mat') return 'toi-mat';
  if (key === 'tuyet-mat') return 'tuyet-mat';
  return 'unrecognised';
}

/** True for every value except `none` (see readSecrecy): fail closed. */
export function isSecret(x: unknown): boolean {
  return readSecrecy(x) !== 'none';
}

/** Vietnamese name of a known level. */
export function secrecyName(s: Secrecy): string {
  return SECRECY_LEVELS.find((l) => l.id === s)?.name ?? s;
}
