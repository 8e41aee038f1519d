import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as domain from '../../src/domain/index.js';

// ARCHITECTURE.md invariant 8: the domain is pure. Its modules import each other and, for types
// only, src/errors.ts; nothing else (no node:*, no packages, no adapters).
t.test('src/domain imports nothing but itself and error types', async (t) => {
  const dir = fileURLToPath(new URL('../../src/domain/', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  t.ok(files.length >= 10);
  for (const f of files) {
    const src = readFileSync(dir + f, 'utf8');
    for (const m of src.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) {
      const [, , typeOnly, spec] = m;
      const ok = spec?.startsWith('./') === true || (spec === '../errors.js' && typeOnly !== undefined);
      t.ok(ok, `${f} imports ${spec ?? '?'}`);
    }
    t.notMatch(src, /\brequire\(|\bimport\(|process\.|console\./, `${f} has no dynamic imports, process or console`);
  }
});

t.test('the index exposes the public API', async (t) => {
  for (const name of ['validateMetadata', 'parseOrganId', 'deriveDocumentId', 'nextIncomingState', 'applyRecipientStatus', 'isOverdue', 'stripDiacritics', 'findDocumentTypeByName', 'isSecret']) {
    t.type((domain as Record<string, unknown>)[name], 'function', name);
  }
});
