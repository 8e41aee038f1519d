import { UsageError } from '../args.js';
import type { CliIo } from '../io.js';
import { EXIT } from '../../errors.js';
import type { UserInfo } from '../../auth/index.js';
import { parseAccountCommand, readPassword, table, withAdmin } from '../../admin/cli-common.js';

const HELP = `usage: edoc-gateway user add NAME --role viewer|clerk|admin
       edoc-gateway user list
       edoc-gateway user disable NAME
       edoc-gateway user passwd NAME
options: --config FILE | --state-dir DIR, --json

Staff accounts of the web page. The password is read from standard input (first line), never
from the command line. Works through the running service's admin socket, or on the state
directory itself when the service is stopped. Disabling a user or changing a password ends
their sessions.`;

export async function userCommand(argv: string[], io: CliIo): Promise<number> {
  const cmd = parseAccountCommand('user', argv, HELP, io);
  if (!cmd) return EXIT.OK;
  const { values, sub, name, by, needName, needRole } = cmd;
  const show = (u: UserInfo, what: string): void => io.out(io.json ? JSON.stringify(u) : `${what}: ${u.username} (${u.role}${u.disabled ? ', disabled' : ''})`);
  switch (sub) {
    case 'add': {
      const username = needName();
      const role = needRole();
      const password = await readPassword(io);
      const u = (await withAdmin(values, io, (t) => t.call('user.add', { username, role, password, by }))) as UserInfo;
      show(u, 'added');
      return EXIT.OK;
    }
    case 'list': {
      if (name) throw new UsageError('user list takes no NAME');
      const users = (await withAdmin(values, io, (t) => t.call('user.list'))) as UserInfo[];
      if (io.json) io.out(JSON.stringify(users));
      else io.out(users.length === 0 ? '(no users)' : table([['USER', 'ROLE', 'STATE', 'CREATED'], ...users.map((u) => [u.username, u.role, u.disabled ? 'disabled' : 'active', u.createdAt])]));
      return EXIT.OK;
    }
    case 'disable': {
      const username = needName();
      show((await withAdmin(values, io, (t) => t.call('user.disable', { username, by }))) as UserInfo, 'disabled');
      return EXIT.OK;
    }
    case 'passwd': {
      const username = needName();
      const password = await readPassword(io);
      show((await withAdmin(values, io, (t) => t.call('user.passwd', { username, password, by }))) as UserInfo, 'password changed');
      return EXIT.OK;
    }
    default:
      throw new UsageError('expected: user add|list|disable|passwd');
  }
}
