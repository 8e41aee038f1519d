#!/usr/bin/env node
// The executable behind `edoc-gateway` (package.json "bin"). Kept apart from main.ts so tests can
// import the dispatcher without running it.
import { run } from './main.js';
import { EXIT } from '../errors.js';

run(process.argv.slice(2)).then(
  (code) => {
    // Long-running commands (serve, demo, axis-sim) resolve only once they have shut down.
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`fatal: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = EXIT.UNAVAILABLE;
  },
);
