/**
 * `EDOC_GATEWAY_<SECTION>_<KEY>` overrides every scalar of the configuration (spec/cli-and-config.md).
 * Names are matched without underscores and case, so both `EDOC_GATEWAY_HSM_PIN_FILE` and
 * `EDOC_GATEWAY_HSM_PINFILE` reach `hsm.pinFile`. The value is converted to the type of the value
 * it replaces (a digits-only organ id stays a string); where there is none, JSON is tried first.
 */
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

/** Sets the scalar `key` names; returns its dotted path, or null when there is none. */
function setByName(config: Record<string, unknown>, key: string, raw: string): string | null {
  for (const [k, v] of Object.entries(config)) {
    const top = squash(k);
    if (key === top && (v === null || typeof v !== 'object')) {
      config[k] = convert(raw, v);
      return k;
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && key.startsWith(top)) {
      const section = v as Record<string, unknown>;
      for (const [sk, sv] of Object.entries(section)) {
        if (squash(sk) === key.slice(top.length) && (sv === null || typeof sv !== 'object')) {
          section[sk] = convert(raw, sv);
          return `${k}.${sk}`;
        }
      }
    }
  }
  return null;
}
