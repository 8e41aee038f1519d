import { UsageError } from '../args.js';
import type { CliIo } from '../io.js';
import { EXIT } from '../../errors.js';
import type { ApiKeyInfo } from '../../auth/index.js';
import { parseAccountCommand, table, withAdmin } from '../../admin/cli-common.js';

const HELP = `usage: edoc-gateway apikey create NAME --role viewer|clerk|admin
       edoc-gateway apikey list
       edoc-gateway apikey revoke NAME
options: --config FILE | --state-dir DIR, --json

API keys for software (Authorization: Bearer <key>). The key is printed once, at creation; the
gateway keeps only its hash.`;

export async function apikeyCommand(argv: string[], io: CliIo): Promise<number> {
  const cmd = parseAccountCommand('apikey', argv, HELP, io);
  if (!cmd) return EXIT.OK;
  const { values, sub, by, needName, needRole } = cmd;
  switch (sub) {
    case 'create': {
      const name = needName();
      const role = needRole();
      const k = (await withAdmin(values, io, (t) => t.call('apikey.create', { name, role, by }))) as ApiKeyInfo & { key: string };
      if (io.json) io.out(JSON.stringify(k));
      else io.out(`API key "${k.name}" (${k.role}):\n${k.key}\nIt is shown only now: put it in the client's configuration.`);
      return EXIT.OK;
    }
    case 'list': {
      const keys = (await withAdmin(values, io, (t) => t.call('apikey.list'))) as ApiKeyInfo[];
      if (io.json) io.out(JSON.stringify(keys));
      else io.out(keys.length === 0 ? '(no API keys)' : table([['NAME', 'ROLE', 'KEY ID', 'CREATED', 'REVOKED'], ...keys.map((k) => [k.name, k.role, k.keyId, k.createdAt, k.revokedAt ?? '-'])]));
      return EXIT.OK;
    }
    case 'revoke': {
      const name = needName();
      const k = (await withAdmin(values, io, (t) => t.call('apikey.revoke', { name, by }))) as ApiKeyInfo;
      io.out(io.json ? JSON.stringify(k) : `revoked: ${k.name}`);
      return EXIT.OK;
    }
    default:
      throw new UsageError('expected: apikey create|list|revoke');
  }
}
