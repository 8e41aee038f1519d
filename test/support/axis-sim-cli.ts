// Runs the axis-sim CLI command as its own process (spawned by test/axis-sim/cli.test.ts with the
// test runner's TypeScript loader), so signals reach it the way they do in production.
import { axisSimCommand } from '../../src/cli/commands/axis-sim.js';
import { processIo } from '../../src/cli/io.js';

const argv = process.argv.slice(2);
process.exitCode = await axisSimCommand(argv, processIo(argv.includes('--json')));
