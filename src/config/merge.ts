type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A JSON object (a configuration section), not null or an array. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep-merge a config file over the defaults. Objects merge key by key; arrays, scalars and null
 * replace (a `"display": null` in the file must switch the display off, not merge into it). A
 * section that changes shape (axis remote ↔ embedded, tls object ↔ string) replaces whole.
 */
export function mergeConfig(base: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(base);
  if (!isPlainObject(base) || !isPlainObject(over)) return structuredClone(over);
  if ('embedded' in over && !('embedded' in base)) return structuredClone(over);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) out[k] = mergeConfig(base[k], v);
  return out;
}

export type { Json };
