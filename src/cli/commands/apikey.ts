import { parse, UsageError } from '../args.js';
import type { CliIo } from '../io.js';
import { EXIT } from '../../errors.js';
import type { ApiKeyInfo } from '../../auth/index.js';
import { COMMON_OPTIONS, invoker, table, withAdmin } from '../../admin/cli-common.js';

const HELP = `usage: edoc-gateway apikey create NAME --role viewer|clerk|admin
       edoc-gateway apikey list
       edoc-gateway apikey revoke NAME
options: --config FILE | --state-dir DIR, --json

API keys for software (Authorization: Bearer <key>). The key is printed once, at creation; the
gateway keeps only its hash.`;

export async function apikeyCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, role: { type: 'string' } }, true);
  if (values.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const [sub, name, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(' ')}`);
  const by = invoker();
  switch (sub) {
    case 'create': {
      if (!name) throw new UsageError('apikey create needs a NAME');
      if (!values.role) throw new UsageError('missing --role viewer|clerk|admin');
      const k = (await withAdmin(values, io, (t) => t.call('apikey.create', { name, role: values.role, by }))) as ApiKeyInfo & { key: string };
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
      if (!name) throw new UsageError('apikey revoke needs a NAME');
      const k = (await withAdmin(values, io, (t) => t.call('apikey.revoke', { name, by }))) as ApiKeyInfo;
      io.out(io.json ? JSON.stringify(k) : `revoked: ${k.name}`);
      return EXIT.OK;
    }
    default:
      throw new UsageError('expected: apikey create|list|revoke');
  }
}
