import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DisplayEmulator } from '../display/index.js';
import { firstLine, spawnTracked, stopChild } from './children.js';
import { onPath } from './prerequisites.js';
import { openPtyPair } from './pty-pair.js';

/**
 * One office's status display for the demo: our firmware running in simavr (device/build/
 * display-sim) when the AVR tools are here, else the TypeScript emulator on a socat pty pair.
 * Either way the service opens `hostPath` (a stable symlink, like udev's /dev/edoc-display) and
 * the LCD's rows are mirrored into `lcdFile` (`watch cat` it).
 */
export interface DemoDisplay {
  kind: 'firmware' | 'emulator';
  hostPath: string;
  lcdFile: string;
  close(): Promise<void>;
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const SIM_BIN = path.join(REPO, 'device/build/display-sim');
export const FIRMWARE = path.join(REPO, 'device/build/edoc-display.elf');

let firmwareChecked: { ok: boolean; why: string } | null = null;

/** Builds the firmware and its simulator once per run when the tools exist (device/build.sh). */
export function firmwareAvailable(say: (line: string) => void): { ok: boolean; why: string } {
  if (firmwareChecked) return firmwareChecked;
  if (existsSync(SIM_BIN) && existsSync(FIRMWARE)) return (firmwareChecked = { ok: true, why: 'built' });
  if (!onPath('avr-gcc', ['--version']) || !existsSync(path.join(REPO, 'device/build.sh'))) {
    return (firmwareChecked = { ok: false, why: 'no AVR toolchain (gcc-avr, avr-libc, libsimavr-dev)' });
  }
  say('building the display firmware and its simulator (device/build.sh) …');
  const r = spawnSync('bash', [path.join(REPO, 'device/build.sh')], { encoding: 'utf8', timeout: 180_000 });
  const ok = r.status === 0 && existsSync(SIM_BIN) && existsSync(FIRMWARE);
  return (firmwareChecked = { ok, why: ok ? 'built now' : `device/build.sh failed: ${(r.stderr ?? '').trim().slice(-300)}` });
}

async function repoint(link: string, target: string): Promise<void> {
  const tmp = `${link}.${process.pid}.tmp`;
  await rm(tmp, { force: true });
  await symlink(target, tmp);
  await rename(tmp, link);
}

export async function startDemoDisplay(dir: string, useFirmware: boolean): Promise<DemoDisplay> {
  const hostPath = path.join(dir, 'display');
  const lcdFile = path.join(dir, 'lcd.txt');
  if (useFirmware) {
    const child = spawnTracked(SIM_BIN, ['--elf', FIRMWARE, '--lcd', lcdFile], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      const line = await firstLine(child, 15_000, 'display-sim');
      const m = /^PTY (\S+)$/.exec(line);
      if (!m?.[1]) throw new Error(`display-sim said ${JSON.stringify(line)}`);
      // Keep draining its output so a chatty simulator can never block on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      await repoint(hostPath, m[1]);
    } catch (e) {
      await stopChild(child);
      throw e;
    }
    return {
      kind: 'firmware',
      hostPath,
      lcdFile,
      close: async () => {
        child.stdin?.end();
        await stopChild(child);
        await rm(hostPath, { force: true });
      },
    };
  }
  const pair = await openPtyPair(path.join(dir, 'display-device'), hostPath);
  let emu: DisplayEmulator;
  try {
    emu = await DisplayEmulator.start({ path: pair.a, lcdFile });
  } catch (e) {
    await pair.close();
    throw e;
  }
  return {
    kind: 'emulator',
    hostPath,
    lcdFile,
    close: async () => {
      await emu.close();
      await pair.close();
    },
  };
}
