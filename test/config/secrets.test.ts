import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSecretFile } from '../../src/config/secrets.js';

/** Secrets come from files (LoadCredential= under systemd), never from the JSON or argv. */
t.test('the value without its trailing newline; unreadable or empty files are CONFIG_INVALID', async (t) => {
  const dir = t.testdir();
  const f = (name: string, content: string): string => {
    writeFileSync(join(dir, name), content, { mode: 0o600 });
    return join(dir, name);
  };
  t.equal(await readSecretFile(f('lf', '12345678\n'), 'HSM PIN'), '12345678');
  t.equal(await readSecretFile(f('crlf', 'bí mật\r\n'), 'axis secret'), 'bí mật', 'CRLF from a Windows editor, UTF-8 kept');
  t.equal(await readSecretFile(f('bare', 'abc'), 'axis secret'), 'abc');
  t.equal(await readSecretFile(f('spaces', ' a b \n'), 'axis secret'), ' a b ', 'only the line end is removed');
  await t.rejects(readSecretFile(join(dir, 'missing'), 'HSM PIN'), { code: 'CONFIG_INVALID', message: 'cannot read the HSM PIN file (ENOENT)' });
  await t.rejects(readSecretFile(dir, 'HSM PIN'), { code: 'CONFIG_INVALID', message: /cannot read the HSM PIN file \(EISDIR\)/ });
  await t.rejects(readSecretFile(f('empty', '\n'), 'webhook secret'), { code: 'CONFIG_INVALID', message: 'the webhook secret file is empty' });
});
