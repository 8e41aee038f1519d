/**
 * `EDOC_GATEWAY_<SECTION>_<KEY>` overrides every scalar of the configuration (spec/cli-and-config.md).
 * Names are matched without underscores and case, so both `EDOC_GATEWAY_HSM_PIN_FILE` and
 * `EDOC_GATEWAY_HSM_PINFILE` reach `hsm.pinFile`. The value is converted to the type of the value
 * it replaces (a digits-only organ id stays a string); where there is none, JSON is tried first.
 */
import { isPlainObject } from './merge.js';

const PREFIX = 'EDOC_GATEWAY_';
// Variables with this prefix that are not config keys (the config path itself).
const NOT_OVERRIDES = new Set(['CONFIG']);

const squash = (s: string): string => s.replace(/_/g, '').toUpperCase();

function convert(raw: string, current: unknown): unknown {
  if (typeof current === 'string') return raw;
  if (typeof current === 'number') {
    // Not a number: left as text, so validation says "must be …" once instead of NaN failing
    // every numeric rule.
    const n = raw.trim() === '' ? NaN : Number(raw);
    return Number.isNaN(n) ? raw : n;
  }
  if (typeof current === 'boolean') {
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    return raw; // left as text so validation names the field
  }
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export interface OverrideProblem {
  variable: string;
  problem: string;
}

/** Which configuration field a variable replaced (so a problem with its value can name it). */
export interface AppliedOverride {
  variable: string;
  /** Dotted path, as validation problems name fields (`hsm.sessions`). */
  field: string;
}

/**
 * Applies overrides in place; returns the variables that matched no scalar. `applied`, when
 * given, receives each override that was applied.
 */
export function applyEnvOverrides(config: Record<string, unknown>, env: NodeJS.ProcessEnv, applied?: AppliedOverride[]): OverrideProblem[] {
  const problems: OverrideProblem[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(PREFIX) || raw === undefined) continue;
    const rest = name.slice(PREFIX.length);
    if (NOT_OVERRIDES.has(rest)) continue;
    const field = setByName(config, squash(rest), raw);
    if (field === null) problems.push({ variable: name, problem: 'does not name a configuration scalar' });
    else applied?.push({ variable: name, field });
  }
  return problems;
}

/**
 * Sections that the configuration may leave as `null` or a word (`"display": null`,
 * `"tls": "self-signed"`) but whose object form has scalars of its own: an override of one of those
 * scalars switches the section to its object form, starting from `initial`. So
 * `EDOC_GATEWAY_DISPLAY_PATH=/dev/ttyUSB0` turns a display on, and `EDOC_GATEWAY_HTTP_TLS_CERT` with
 * `…_HTTP_TLS_KEY` gives the service its certificate. `types` gives each scalar's type.
 */
const OBJECT_FORMS: Record<string, { initial: Record<string, unknown>; types: Record<string, unknown> }> = {
  display: { initial: { baudRate: 115200 }, types: { path: '', baudRate: 0 } },
  console: { initial: { baudRate: 115200 }, types: { path: '', baudRate: 0 } },
  'http.tls': { initial: {}, types: { cert: '', key: '' } },
};


/** Sets the scalar `key` names (squashed, any depth); returns its dotted path, or null when there is none. */
function setByName(obj: Record<string, unknown>, key: string, raw: string, prefix = ''): string | null {
  for (const [k, v] of Object.entries(obj)) {
    const top = squash(k);
    if (!key.startsWith(top)) continue;
    const rest = key.slice(top.length);
    const path = prefix ? `${prefix}.${k}` : k;
    if (rest === '') {
      if (v === null || typeof v !== 'object') {
        obj[k] = convert(raw, v);
        return path;
      }
      continue;
    }
    if (isPlainObject(v)) {
      const found = setByName(v, rest, raw, path);
      if (found) return found;
    }
    // A scalar of the section's object form that it does not have yet (it is null or a word, or
    // an earlier override created it with another key: CERT, then KEY).
    const form = OBJECT_FORMS[path];
    const field = form && Object.keys(form.types).find((f) => squash(f) === rest);
    if (form && field) {
      obj[k] = { ...(isPlainObject(v) ? v : form.initial), [field]: convert(raw, form.types[field]) };
      return `${path}.${field}`;
    }
  }
  return null;
}
