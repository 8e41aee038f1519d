/** sd_notify and the watchdog, for the composition root (main.ts). */
export { createNotifier } from './notify.js';
export type { Notifier, NotifierOptions } from './notify.js';
export { startWatchdog, watchdogIntervalMs } from './watchdog.js';
export type { Watchdog, WatchdogOptions, WatchdogStats } from './watchdog.js';
export type { NotifyTransport } from './notify-transport.js';
