// Make the CLI entry executable after tsc (tsc keeps the shebang but not the mode bit), so that
// `npx edoc-gateway` and the systemd unit can exec it directly.
import { chmodSync, cpSync, existsSync } from 'node:fs';
const entry = new URL('../dist/cli/bin.js', import.meta.url);
if (existsSync(entry)) chmodSync(entry, 0o755);

// The staff web page's static files (HTML, CSS, plain ES modules) are not TypeScript: tsc does not
// copy them, so they are copied next to the compiled src/http/web/index.js here.
const webSrc = new URL('../src/http/web/assets/', import.meta.url);
const webOut = new URL('../dist/http/web/assets/', import.meta.url);
if (existsSync(webSrc)) cpSync(webSrc, webOut, { recursive: true, force: true });
