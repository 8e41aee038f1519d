import { readFile } from 'node:fs/promises';

/**
 * The agencies the simulator knows (`--agencies FILE`): `[{"id","name","secret"}]`. The secret is
 * the shared key as base64 text, used as-is (its UTF-8 bytes) as the HMAC key, like the SDK does.
 */
export interface SimAgency {
  id: string;
  name: string;
  secret: string;
}

export function validateAgencies(value: unknown): SimAgency[] {
  if (!Array.isArray(value)) throw new Error('agencies must be a JSON array of {id, name, secret}');
  const seen = new Set<string>();
  return value.map((a: unknown, i) => {
    const o = a as Partial<SimAgency> | null;
    if (!o || typeof o.id !== 'string' || !/^[0-9A-Z]+(\.[0-9A-Z]+)*$/.test(o.id)) throw new Error(`agencies[${i}].id must be an OrganId`);
    if (typeof o.secret !== 'string' || o.secret.length === 0) throw new Error(`agencies[${i}].secret must be non-empty text`);
    if (seen.has(o.id)) throw new Error(`agencies[${i}].id ${o.id} is listed twice`);
    seen.add(o.id);
    return { id: o.id, name: typeof o.name === 'string' ? o.name : o.id, secret: o.secret };
  });
}

export async function loadAgencies(path: string): Promise<SimAgency[]> {
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not the parser's message: V8 quotes the text around the error, which may be a secret.
    throw new Error('the agencies file is not valid JSON');
  }
  return validateAgencies(value);
}
