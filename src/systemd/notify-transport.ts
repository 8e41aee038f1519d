import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * How one sd_notify datagram reaches systemd.
 *
 * Node has no AF_UNIX SOCK_DGRAM socket (`dgram` is UDP only, `net` is streams only), and the
 * notify socket is a datagram socket. The choices were:
 *
 * - `unix-dgram` (ISC, a few hundred lines of C on nan, ~10 M downloads a week through hot-shots):
 *   the datagram leaves from our own PID, so the unit keeps `NotifyAccess=main` and systemd
 *   attributes every message to the main process without races. It builds from source with
 *   node-gyp on `npm ci` (no prebuilt download), exactly like pkcs11js that we already need, so
 *   it adds no new toolchain requirement on a Pi (arm64/armhf) or in CI. Its one gap: it copies
 *   the address with strncpy and a fixed length, so abstract addresses (`@name`) cannot work.
 * - spawning `systemd-notify`: no native code, but the message comes from a child PID, so the
 *   unit needs `NotifyAccess=all`, and a child that exits before systemd reads the datagram cannot
 *   be attributed to the unit (systemd 252 papers over it with a BARRIER round trip). A fork+exec
 *   of a process every watchdog period also costs real CPU on a Pi.
 *
 * So: `unix-dgram` for filesystem sockets — what systemd gives every system service
 * (/run/systemd/notify) — and `systemd-notify` only for abstract addresses (old managers,
 * some container runtimes) or when the native module failed to load; a warning says that this
 * path needs `NotifyAccess=all`.
 */
export interface NotifyTransport {
  readonly kind: 'datagram' | 'systemd-notify';
  /** Sends one message; failures are reported through the callback, never thrown. */
  send(message: string, done: (err: Error | null) => void): void;
}

interface UnixDgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, cb: (err?: Error) => void): void;
  close(): void;
  on(event: 'error', fn: (err: Error) => void): void;
}
interface UnixDgramModule {
  createSocket(type: 'unix_dgram'): UnixDgramSocket;
}

let cached: UnixDgramModule | Error | undefined;

/** Loads the native module once; an Error when it is not built for this Node. */
function loadUnixDgram(): UnixDgramModule | Error {
  if (cached === undefined) {
    try {
      cached = createRequire(import.meta.url)('unix-dgram') as UnixDgramModule;
    } catch (e) {
      cached = e instanceof Error ? e : new Error(String(e));
    }
  }
  return cached;
}

/**
 * A socket per message, closed right after: sd_notify does the same, and it means no open handle
 * keeps the process alive or needs closing on shutdown. A send is one non-blocking sendmsg().
 */
function datagramTransport(mod: UnixDgramModule, path: string): NotifyTransport {
  return {
    kind: 'datagram',
    send(message, done) {
      let sock: UnixDgramSocket;
      try {
        sock = mod.createSocket('unix_dgram');
      } catch (e) {
        done(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      sock.on('error', () => undefined); // reported through the callback below
      const buf = Buffer.from(message, 'utf8');
      sock.send(buf, 0, buf.length, path, (err) => {
        sock.close();
        done(err ?? null);
      });
    },
  };
}

/** At most one child in flight: a stuck systemd-notify must not pile up processes. */
function spawnTransport(address: string): NotifyTransport {
  let busy = false;
  return {
    kind: 'systemd-notify',
    send(message, done) {
      if (busy) {
        done(new Error('previous systemd-notify still running; message dropped'));
        return;
      }
      busy = true;
      const child = spawn('systemd-notify', message.split('\n'), {
        env: { ...process.env, NOTIFY_SOCKET: address },
        stdio: 'ignore',
      });
      child.once('error', (e) => {
        busy = false;
        done(e);
      });
      child.once('exit', (code) => {
        busy = false;
        done(code === 0 ? null : new Error(`systemd-notify exited with ${code}`));
      });
    },
  };
}

export interface TransportChoice {
  transport: NotifyTransport;
  /** Why the fallback was taken, for one warning at start-up; null on the normal path. */
  warning: string | null;
}

/** Picks the transport for a NOTIFY_SOCKET value (a path or `@abstract`). */
export function transportFor(address: string): TransportChoice {
  if (address.startsWith('@')) {
    return { transport: spawnTransport(address), warning: 'abstract NOTIFY_SOCKET: using systemd-notify, which needs NotifyAccess=all' };
  }
  const mod = loadUnixDgram();
  if (mod instanceof Error) {
    return { transport: spawnTransport(address), warning: `unix-dgram unavailable (${mod.message}): using systemd-notify, which needs NotifyAccess=all` };
  }
  return { transport: datagramTransport(mod, address), warning: null };
}
