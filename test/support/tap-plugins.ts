/**
 * Run before the suite (`pretest`): rebuilds tap's plugin-built Test class when the plugins
 * configured in package.json ("tap".plugin) differ from the ones it was built with.
 *
 * Why not leave it to tap: `tap run` does notice the difference and rebuilds, but its runner has
 * already loaded the old class, so that run still starts every test file with the old loaders —
 * ts-node (which we removed, see package.json) in front of tsx, ~0.6 s more CPU per file. On a
 * clean clone (CI, after `npm ci`) every run is such a first run. Here the check costs about a
 * second, and the rebuild (~20 s) happens once per `node_modules`.
 *
 * Anything unexpected (tap's internals moved in a new version) is only reported: tap still
 * rebuilds on its own, merely later.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

async function builtAsConfigured(): Promise<boolean | null> {
  try {
    // Both are tap's own dependencies (installed with it), not ours.
    const { TapConfig } = await import('@tapjs/config');
    const { signature } = (await import('@tapjs/test/test-built')) as { signature: string };
    const config = await TapConfig.load();
    return config.pluginSignature === signature;
  } catch (e) {
    process.stderr.write(`tap-plugins: cannot compare tap's plugins (${(e as Error).message}); tap will rebuild itself if needed\n`);
    return null;
  }
}

if ((await builtAsConfigured()) === false) {
  process.stderr.write('tap-plugins: configured plugins differ from the built ones: running `tap build` once\n');
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('tap/package.json');
  const bin = (require(pkgPath) as { bin: { tap: string } }).bin.tap;
  const tapBin = path.join(path.dirname(pkgPath), bin);
  const r = spawnSync(process.execPath, [tapBin, 'build'], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
