import { nfc } from './text.js';

/**
 * Agency identifiers (domain.md §2). Two generations live side by side on the axis:
 * - legacy QCVN 102:2016 `V1V2V3.Z1Z2.Y1Y2.MX1X2` (`000.00.00.G22`, `000.46.24.H44`), the
 *   level-1 unit last;
 * - QĐ 20/2020/QĐ-TTg's general form: ≤ 35 characters of `0-9`, `A-Z` and `.`, dot-separated
 *   non-empty groups (`G12`, `H99.46`). Real traffic also carries enterprise tax codes (digits
 *   only, `0101234567`) and hub codes (`02.29.W00`); the general rule accepts both, so we do too.
 *
 * Normalisation (decided): NFC, trim, and upper-case **ASCII letters only**. Lower case is a
 * harmless slip given the alphabet, but `toUpperCase()` would also turn `ı` into `I` or `ß` into
 * `SS` and so make a non-ASCII id look valid. Nothing else is repaired: no inner spaces removed,
 * no zero-padding of groups — a different id is a different agency.
 */
export type OrganId = string;

export const ORGAN_ID_MAX_LENGTH = 35;

const GENERAL = /^[0-9A-Z]+(\.[0-9A-Z]+)*$/;
const LEGACY = /^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$/;

export type OrganIdGeneration = 'legacy' | 'general';

export type OrganIdResult =
  | { ok: true; id: OrganId; generation: OrganIdGeneration }
  | { ok: false; problem: string };

// Bound the work done on hostile input before normalising it.
const MAX_RAW_LENGTH = 200;

/** NFC, trim, ASCII upper case (see the module comment). */
export function normaliseOrganId(raw: string): string {
  return nfc(raw).trim().replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/** Validate and normalise an OrganId of either generation. Never throws. */
export function parseOrganId(raw: unknown): OrganIdResult {
  if (typeof raw !== 'string') return { ok: false, problem: 'must be a string' };
  if (raw.length > MAX_RAW_LENGTH) return { ok: false, problem: `must be at most ${ORGAN_ID_MAX_LENGTH} characters` };
  const id = normaliseOrganId(raw);
  if (id.length === 0) return { ok: false, problem: 'must not be empty' };
  if (id.length > ORGAN_ID_MAX_LENGTH) return { ok: false, problem: `must be at most ${ORGAN_ID_MAX_LENGTH} characters` };
  if (!GENERAL.test(id)) {
    return { ok: false, problem: 'must be dot-separated non-empty groups of A-Z and 0-9 (an OrganId)' };
  }
  return { ok: true, id, generation: LEGACY.test(id) ? 'legacy' : 'general' };
}

/** True for a valid OrganId after normalisation. */
export function isValidOrganId(raw: unknown): boolean {
  return parseOrganId(raw).ok;
}

/** True when a (normalised) id has the legacy QCVN 102:2016 shape. */
export function isLegacyOrganId(id: string): boolean {
  return LEGACY.test(id);
}

/**
 * The new-style code a legacy id abbreviates to: drop the leading all-zero groups
 * (`000.00.00.G12` → `G12`, `000.00.24.H44` → `24.H44`). Undefined for a non-legacy id.
 */
export function legacyTail(id: string): string | undefined {
  if (!LEGACY.test(id)) return undefined;
  const groups = id.split('.');
  while (groups.length > 1 && /^0+$/.test(groups[0] ?? '')) groups.shift();
  return groups.join('.');
}

/**
 * May two ids denote the same agency? True when equal after normalisation, or when one is a legacy
 * id whose leading groups are all zeros and whose remaining groups equal the other id
 * (`000.00.00.G12` ~ `G12`). Non-zero leading groups name a unit *below* the other one
 * (`000.46.24.H99` is a commune under `H99`), so they do not match. Codes that were re-issued
 * under QĐ 20 without that relation (a legacy `000.46.24.H99` that became `H99.46`) cannot be
 * derived: list them as aliases in configuration.
 */
export function mayDenoteSameAgency(a: unknown, b: unknown): boolean {
  const pa = parseOrganId(a);
  const pb = parseOrganId(b);
  if (!pa.ok || !pb.ok) return false;
  if (pa.id === pb.id) return true;
  if (pa.generation === pb.generation) return false;
  const [legacy, other] = pa.generation === 'legacy' ? [pa.id, pb.id] : [pb.id, pa.id];
  return legacyTail(legacy) === other;
}
