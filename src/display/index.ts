/** The status display (spec/serial.md): what the rest of the service uses. */
export { startDisplay, type DisplayOptions, type DisplayService, type DisplayHealth } from './service.js';
export { URGENT_PRIORITY, healthOf, type DisplayStatusSnapshot, type Health } from './status.js';
export { PAGES, type PageName } from './pages.js';
export { DisplayEmulator, type EmulatorOptions } from './emulator.js';
export { stripDiacritics, toLcdAscii } from './ascii.js';
