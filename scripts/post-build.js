// Make the CLI entry executable after tsc (tsc keeps the shebang but not the mode bit), so that
// `npx edoc-gateway` and the systemd unit can exec it directly.
import { chmodSync, existsSync } from 'node:fs';
const entry = new URL('../dist/cli/bin.js', import.meta.url);
if (existsSync(entry)) chmodSync(entry, 0o755);
