import { write as fsWrite } from 'node:fs';
import { promisify } from 'node:util';
import {
  LinuxBinding,
  type BindingInterface,
  type BindingPortInterface,
  type LinuxOpenOptions,
  type LinuxPortBinding,
  type SetOptions,
  type UpdateOptions,
} from '@serialport/bindings-cpp';

const writeAsync = promisify(fsWrite);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * serialport's Linux binding, with writes that cannot freeze the port.
 *
 * Found while testing the console against a terminal that stops reading (bindings-cpp 13.0.0):
 * when a write gets EAGAIN the binding waits on its poller for "writable", but the native
 * Poller::poll() passes only the newly requested event to uv_poll_start() instead of the
 * merged set. The read loop re-arms "readable" right after, which silently cancels the
 * "writable" wait — and a pending write likewise cancels "readable". Result: the write never
 * completes and no input is read any more, even after the far end drains. A 115200-baud UART
 * hits EAGAIN whenever more than its 4 KiB transmit buffer is queued, so this is not test-only.
 *
 * The fix here: leave the poller to reads alone, and on EAGAIN retry the write after a short,
 * growing sleep (5 → 200 ms). A stalled line costs a few syscalls a second; a moving one
 * never sleeps.
 */
class RetryingWritePort implements BindingPortInterface {
  constructor(private readonly inner: LinuxPortBinding) {}

  get openOptions(): LinuxPortBinding['openOptions'] {
    return this.inner.openOptions;
  }
  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  async write(buffer: Buffer): Promise<void> {
    let offset = 0;
    let wait = 5;
    while (offset < buffer.length) {
      const fd = this.inner.fd;
      if (fd === null) throw new Error('Port is not open');
      try {
        const { bytesWritten } = await writeAsync(fd, buffer, offset, buffer.length - offset);
        offset += bytesWritten;
        wait = 5;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') throw e; // the stream then reports a disconnect
        await sleep(wait);
        wait = Math.min(200, wait * 2);
      }
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    return this.inner.read(buffer, offset, length);
  }
  update(options: UpdateOptions): Promise<void> {
    return this.inner.update(options);
  }
  set(options: SetOptions): Promise<void> {
    return this.inner.set(options);
  }
  get(): ReturnType<LinuxPortBinding['get']> {
    return this.inner.get();
  }
  getBaudRate(): Promise<{ baudRate: number }> {
    return this.inner.getBaudRate();
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
  drain(): Promise<void> {
    return this.inner.drain();
  }
}

/** Pass as `binding` to SerialPortStream (Linux only, like the appliance). */
export const RetryingWriteBinding: BindingInterface<RetryingWritePort, LinuxOpenOptions> = {
  open: async (options: LinuxOpenOptions) => new RetryingWritePort(await LinuxBinding.open(options)),
  list: () => LinuxBinding.list(),
};
