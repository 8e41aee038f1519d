import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HsmConfig } from '../config/schema.js';
import { initDevToken, type DevTokenResult } from '../hsm/dev-token.js';

/**
 * What a demo run keeps in `<dir>/demo.json` (mode 0600) so that running it again reuses the same
 * tokens, axis secrets and logins instead of starting over. It is a demo: the clerk passwords are
 * kept here in clear on purpose, so the demo can print them every time.
 */
export interface DemoOfficeState {
  tokenLabel: string;
  axisSecret: string;
  username: string;
  password: string;
}

export interface DemoState {
  version: 1;
  softhsm2Conf: string;
  tokens: Record<string, DevTokenResult>;
  offices: Record<string, DemoOfficeState>;
}

export const PERSONAL_TOKEN = 'demo-personal';

export function hsmConfigOf(t: DevTokenResult): HsmConfig {
  return { module: t.module, tokenLabel: t.tokenLabel, keyLabel: t.keyLabel, keyId: t.keyId, pinFile: t.pinFile, mechanism: t.mechanism, sessions: 2 };
}

async function readState(file: string): Promise<DemoState | null> {
  try {
    const s = JSON.parse(await readFile(file, 'utf8')) as DemoState;
    const complete = s.version === 1 && existsSync(s.softhsm2Conf) && Object.values(s.tokens).every((t) => existsSync(t.pinFile));
    return complete ? s : null;
  } catch {
    return null;
  }
}

async function writeState(file: string, s: DemoState): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(s, null, 2) + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

/**
 * The demo's SoftHSM tokens (one per office and the competent person's), all under one
 * softhsm2.conf because SoftHSM reads it once per process. Existing state is reused; a partial
 * one (an interrupted first run) is thrown away and made again.
 */
export async function loadOrCreateState(
  dir: string,
  offices: { key: string; name: string; organ: string }[],
  say: (line: string) => void,
): Promise<{ state: DemoState; created: boolean }> {
  const file = path.join(dir, 'demo.json');
  const existing = await readState(file);
  if (existing && offices.every((o) => existing.offices[o.key])) {
    // SoftHSM must see this conf at its C_Initialize, before any token is opened in this process.
    process.env['SOFTHSM2_CONF'] = existing.softhsm2Conf;
    return { state: existing, created: false };
  }
  const hsmDir = path.join(dir, 'hsm');
  await rm(hsmDir, { recursive: true, force: true });
  await mkdir(hsmDir, { recursive: true, mode: 0o700 });
  const tokens: Record<string, DevTokenResult> = {};
  let conf: string | undefined;
  const make = async (label: string, cn: string, o: string): Promise<void> => {
    say(`creating SoftHSM2 token "${label}" …`);
    const t = await initDevToken({ dir: hsmDir, label, organisation: { cn, o, l: 'Phú Thọ' }, ...(conf ? { softhsm2Conf: conf } : {}) });
    conf ??= t.softhsm2Conf;
    tokens[label] = t;
  };
  const officeStates: Record<string, DemoOfficeState> = {};
  for (const o of offices) {
    const label = `demo-${o.key}`;
    await make(label, `${o.name}`, o.name);
    officeStates[o.key] = {
      tokenLabel: label,
      axisSecret: randomBytes(32).toString('base64'),
      username: 'vanthu',
      password: randomBytes(12).toString('base64url'),
    };
  }
  await make(PERSONAL_TOKEN, 'Nguyễn Văn A', offices[0]?.name ?? 'UBND');
  const state: DemoState = { version: 1, softhsm2Conf: conf!, tokens, offices: officeStates };
  await writeState(file, state);
  return { state, created: true };
}
