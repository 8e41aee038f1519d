/** The VPCP adapter of the axis port; the simulator shares `signing.ts` and `protocol.ts`. */
export { VpcpAxis, type VpcpAxisOptions } from './adapter.js';
export * from './signing.js';
export * from './protocol.js';
