/** The axis simulator: in-process (`startAxisSim`) or as `edoc-gateway axis-sim`. */
export { startAxisSim, type AxisSim, type AxisSimOptions } from './server.js';
export { loadAgencies, validateAgencies, type SimAgency } from './agencies.js';
export { NO_FAULTS, type FaultSettings, Faults } from './faults.js';
export type { SimStats, AgencyCounters } from './store.js';
