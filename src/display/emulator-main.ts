/**
 * `node dist/src/display/emulator-main.js --path PTY [--lcd FILE]`: runs the display emulator
 * as its own process for the demo. Like device/sim/display-sim it reads `BTN <1|2> <short|long>`
 * lines on stdin, and it exits on SIGTERM/SIGINT. Prints `READY <path>` once the port is open.
 */
import readline from 'node:readline';
import { DisplayEmulator } from './emulator.js';

function usage(): never {
  process.stderr.write('usage: emulator-main --path PTY [--lcd FILE]\n');
  process.exit(2);
}

function parseArgs(argv: string[]): { path: string; lcd?: string } {
  let path: string | undefined;
  let lcd: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--path' && v) path = v;
    else if (a === '--lcd' && v) lcd = v;
    else usage();
    i++;
  }
  if (!path) usage();
  return lcd ? { path, lcd } : { path };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const emu = await DisplayEmulator.start({ path: args.path, ...(args.lcd ? { lcdFile: args.lcd } : {}) });
  process.stdout.write(`READY ${args.path}\n`);
  const stop = (): void => {
    void emu.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const m = /^BTN ([12]) (short|long)$/.exec(line.trim());
    if (m) emu.press(Number(m[1]) as 1 | 2, m[2] as 'short' | 'long');
    else process.stderr.write(`emulator: ignored stdin line: ${line}\n`);
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`emulator: ${(err as Error).message}\n`);
  process.exit(1);
});
