/**
 * Node/V8 options the appliance runs the service with: the unit's
 * `Environment=NODE_OPTIONS=…` (systemd/edoc-gateway.service; test/systemd/units.test.ts keeps the
 * two equal) and the benchmarks' `serve` child (src/bench/start-bench.ts), so the figures are the
 * appliance's.
 *
 * `--max-semi-space-size=2` (MB): V8's young generation otherwise grows to 16 MB per semi-space
 * while modules load at start and keeps that size while the service idles — about 10 MB of the
 * idle RSS of a box with 1–2 GB in all. Measured with `npm run bench` figures in the same run:
 * idle RSS 98/101 → 88/89 MB, service CPU per `POST /api/v1/sign` 16.3/19.3 → 13.8/13.0 ms (no
 * cost: the sign path's short-lived garbage dies young either way).
 */
export const SERVICE_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=2'];
