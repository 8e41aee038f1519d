import { readFile } from 'node:fs/promises';
import { AppError } from '../errors.js';

/**
 * Secrets (HSM PIN, axis secret, webhook secrets) live in files — under systemd in
 * `$CREDENTIALS_DIRECTORY` via LoadCredential= — never in the JSON or argv. The value is returned
 * without its trailing newline; the error never carries the content.
 */
export async function readSecretFile(path: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new AppError('CONFIG_INVALID', `cannot read the ${what} file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const value = text.replace(/\r?\n$/, '');
  if (value.length === 0) throw new AppError('CONFIG_INVALID', `the ${what} file is empty`);
  return value;
}
