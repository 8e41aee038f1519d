import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A single kernel pty whose master end is held by a small python3 helper (Node cannot open a
 * pty master). The service opens `path` (the slave, via a symlink); the test writes bytes into
 * the master and decides whether anything reads the other direction. Unlike a socat pair, the
 * two directions are independent: with reading stopped, the service's output fills the pty and
 * its writes stall, while its input keeps arriving — a terminal that types but never reads.
 */
export interface PtyMaster {
  /** The symlink to the slave device. */
  readonly path: string;
  /** Writes bytes into the master (they arrive as input on the slave). */
  write(text: string): Promise<void>;
  /** Starts draining the master; what it reads is returned by `output()`. */
  startReading(): void;
  output(): string;
  close(): Promise<void>;
}

const SCRIPT = `
import base64, os, pty, select, sys, tty
link = sys.argv[1]
master, slave = pty.openpty()
tty.setraw(slave)
os.symlink(os.ttyname(slave), link)
print('READY', flush=True)
reading = False
while True:
    fds = [sys.stdin] + ([master] if reading else [])
    ready, _, _ = select.select(fds, [], [])
    if master in ready:
        try:
            data = os.read(master, 65536)
        except OSError:
            data = b''
        if data:
            print('DATA ' + base64.b64encode(data).decode(), flush=True)
    if sys.stdin in ready:
        line = sys.stdin.readline()
        if not line:
            break
        cmd, _, arg = line.strip().partition(' ')
        if cmd == 'write':
            os.write(master, base64.b64decode(arg))
            print('WROTE', flush=True)
        elif cmd == 'read':
            reading = True
os.unlink(link)
`;

export async function openPtyMaster(link: string): Promise<PtyMaster> {
  const child = spawn('python3', ['-u', '-c', SCRIPT, link], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const chunks: Buffer[] = [];
  const acks: (() => void)[] = [];
  let ready: () => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    ready = resolve;
    void exited.then(() => reject(new Error(`pty helper exited: ${stderr}`)));
    setTimeout(() => reject(new Error(`pty helper did not start: ${stderr}`)), 10_000).unref();
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'READY') ready();
    else if (line === 'WROTE') acks.shift()?.();
    else if (line.startsWith('DATA ')) chunks.push(Buffer.from(line.slice(5), 'base64'));
  });
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    }
  };
  await started.catch(async (e: unknown) => {
    await close();
    throw e;
  });
  return {
    path: link,
    write: (text) =>
      new Promise<void>((resolve) => {
        acks.push(resolve);
        child.stdin.write(`write ${Buffer.from(text, 'utf8').toString('base64')}\n`);
      }),
    startReading: () => void child.stdin.write('read\n'),
    output: () => Buffer.concat(chunks).toString('utf8'),
    close,
  };
}
