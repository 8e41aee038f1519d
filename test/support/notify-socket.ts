import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A stand-in for systemd's notify socket: a unix datagram socket bound by a small python3
 * process (Node cannot bind one), printing each datagram with its arrival time. Address is a
 * path or `@abstract`, like NOTIFY_SOCKET.
 */
export interface NotifyListener {
  readonly address: string;
  /** Datagrams received so far; `at` is the wall-clock arrival time in ms. */
  readonly messages: { at: number; text: string }[];
  close(): Promise<void>;
}

const SCRIPT = `
import json, socket, sys, time
addr = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\\0' + addr[1:] if addr.startswith('@') else addr)
print('LISTENING', flush=True)
while True:
    m = s.recv(4096)
    print(json.dumps({'at': time.time() * 1000, 'text': m.decode('utf8', 'replace')}), flush=True)
`;

export async function listenNotify(address: string, timeoutMs = 10_000): Promise<NotifyListener> {
  const child = spawn('python3', ['-u', '-c', SCRIPT, address], { stdio: ['ignore', 'pipe', 'pipe'] });
  const messages: { at: number; text: string }[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`notify listener did not start: ${stderr}`)), timeoutMs);
    void exited.then(() => reject(new Error(`notify listener exited: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'LISTENING') {
        clearTimeout(timer);
        resolve();
        return;
      }
      messages.push(JSON.parse(line) as { at: number; text: string });
    });
  }).catch(async (e: unknown) => {
    await close();
    throw e;
  });
  return { address, messages, close };
}
