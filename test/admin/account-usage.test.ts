import t from 'tap';
import { run } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

/**
 * The account commands (`user`, `apikey`) share one parser (admin/cli-common.ts
 * parseAccountCommand): help, the NAME and --role checks and stray arguments read the same in
 * both, and none of these mistakes gets as far as opening the state directory.
 */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (s) => void (out += `${s}\n`),
    err: (s) => void (err += `${s}\n`),
    json: false,
    // No configuration anywhere: reaching the state directory would be a different error.
    env: { EDOC_GATEWAY_CONFIG: '/nonexistent/edoc-gateway.json' },
    readStdin: async () => 'a-password\n',
  };
  const code = await run(argv, io);
  return { code, out, err };
}

t.test('help', async (t) => {
  for (const group of ['user', 'apikey']) {
    const r = await cli([group, '--help']);
    t.equal(r.code, 0, `${group} --help exits 0`);
    t.match(r.out, new RegExp(`^usage: edoc-gateway ${group} `), `${group} prints its own usage`);
  }
});

t.test('usage errors name the command and exit 2', async (t) => {
  const cases: [string[], RegExp][] = [
    [['user', 'add'], /^user: user add needs a NAME/],
    [['user', 'disable'], /^user: user disable needs a NAME/],
    [['user', 'passwd'], /^user: user passwd needs a NAME/],
    [['user', 'add', 'lan'], /^user: missing --role viewer\|clerk\|admin/],
    [['user', 'list', 'lan'], /^user: user list takes no NAME/],
    [['user', 'add', 'lan', 'extra', '--role', 'clerk'], /^user: unexpected extra/],
    [['user', 'rename', 'lan'], /^user: expected: user add\|list\|disable\|passwd/],
    [['apikey', 'create'], /^apikey: apikey create needs a NAME/],
    [['apikey', 'revoke'], /^apikey: apikey revoke needs a NAME/],
    [['apikey', 'create', 'dms'], /^apikey: missing --role viewer\|clerk\|admin/],
    [['apikey', 'create', 'dms', 'x', 'y'], /^apikey: unexpected x y/],
    [['apikey', 'rotate'], /^apikey: expected: apikey create\|list\|revoke/],
    [['apikey', 'list', '--bogus'], /^apikey: Unknown option '--bogus'/],
  ];
  for (const [argv, message] of cases) {
    const r = await cli(argv);
    t.equal(r.code, 2, `${argv.join(' ')}: exit 2`);
    t.match(r.err, message, `${argv.join(' ')}: says what is wrong`);
  }
});

t.test('a well-formed command goes on to find the state directory', async (t) => {
  const r = await cli(['apikey', 'create', 'dms', '--role', 'clerk']);
  t.not(r.code, 2, 'not a usage error');
  t.notMatch(r.err, /needs a NAME|missing --role/);
});
