/**
 * One driver suite, two devices: the TS emulator on a socat pty pair, and the real firmware
 * running in simavr (built here via device/build.sh; skipped with the reason if it cannot be).
 */
import t from 'tap';
import { displayCases } from '../support/display-cases.js';
import { EmulatorBackend, SimBackend, ensureSimBuilt } from '../support/display-backends.js';

t.test('TS emulator', async (t) => {
  displayCases(t, (dir) => new EmulatorBackend(dir));
});

const whyNot = ensureSimBuilt();
t.test('firmware in simavr', { skip: whyNot ?? false }, async (t) => {
  displayCases(t, (dir) => new SimBackend(dir));
});
