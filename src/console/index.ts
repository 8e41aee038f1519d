/** The technician console: what the composition root and other modules import. */
export { startConsole, PROMPT } from './service.js';
export type { ConsoleOptions, ConsoleService, ConsoleState, ReconnectPolicy } from './service.js';
export type {
  ConsoleDataSource,
  HsmSummary,
  InboxEntry,
  LogSource,
  NetSummary,
  QueueEntry,
  SelftestCheck,
  StatusSnapshot,
  VersionInfo,
} from './port.js';
