import { SerialPortStream } from '@serialport/stream';
import { autoDetect } from '@serialport/bindings-cpp';
import type { Duplex } from 'node:stream';
import { ReadlineParser } from '@serialport/parser-readline';
import { AppError } from '../errors.js';
import { MAX_LINE } from './protocol.js';

/**
 * The framing layer: a serial port as a stream of `\n`-terminated lines, nothing more.
 * Commands, timeouts and reconnects live in the layers above.
 */
export interface LineLink {
  /** Sends `line` plus a newline; resolves once the bytes are handed to the OS. */
  writeLine(line: string): Promise<void>;
  /** Every received line, without its terminator (a trailing `\r` is dropped too). */
  onLine(fn: (line: string) => void): void;
  /** Once, when the port closes or fails; `err` is set unless we closed it ourselves. */
  onClose(fn: (err?: Error) => void): void;
  close(): Promise<void>;
}

/** What we use of a serialport stream (SerialPort and SerialPortMock both fit). */
export interface SerialPortLike extends Duplex {
  open(cb: (err: Error | null) => void): void;
  readonly isOpen: boolean;
  close(cb?: (err: Error | null) => void): void;
  flush(cb?: (err: Error | null) => void): void;
}

/** Builds an unopened port; tests pass SerialPortMock, the service a real serial port. */
export type PortFactory = (path: string, baudRate: number) => SerialPortLike;

// What `new SerialPort()` of the `serialport` package does, without its root module: that one also
// loads the mock binding and every parser the package ships, at every start.
export const realPort: PortFactory = (path, baudRate) => new SerialPortStream({ binding: autoDetect(), path, baudRate, autoOpen: false });

/** A device that streams this much without a newline is broken or not our display. */
const MAX_GARBAGE = 4096;

export async function openLineLink(path: string, baudRate: number, factory: PortFactory = realPort): Promise<LineLink> {
  const port = factory(path, baudRate);
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  // Drop whatever the OS buffered before we were listening (a boot banner, half a line):
  // the HELLO handshake, not leftovers, tells us what the device is.
  await new Promise<void>((resolve) => port.flush(() => resolve()));

  // latin1 maps every byte to one char, so line noise cannot produce multi-byte surprises.
  const parser = port.pipe(new ReadlineParser({ delimiter: '\n', encoding: 'latin1' }));
  const lineListeners: ((line: string) => void)[] = [];
  const closeListeners: ((err?: Error) => void)[] = [];
  let closed = false;
  let closing = false;
  let sinceNewline = 0;

  const finish = (err?: Error): void => {
    if (closed) return;
    closed = true;
    for (const fn of closeListeners) fn(closing ? undefined : err ?? new Error('port closed'));
  };

  parser.on('data', (data: string) => {
    const line = data.endsWith('\r') ? data.slice(0, -1) : data;
    for (const fn of lineListeners) fn(line);
  });
  port.on('data', (chunk: Buffer) => {
    const nl = chunk.lastIndexOf(0x0a);
    sinceNewline = nl < 0 ? sinceNewline + chunk.length : chunk.length - nl - 1;
    if (sinceNewline > MAX_GARBAGE) {
      const err = new AppError('INTERNAL', `serial device on ${path} sent ${MAX_GARBAGE} bytes without a newline`);
      port.destroy(err);
    }
  });
  port.on('error', (err: Error) => finish(err));
  port.on('close', (err?: Error) => finish(err ?? undefined));

  return {
    writeLine(line: string): Promise<void> {
      if (line.length > MAX_LINE || /[^\x20-\x7e]/.test(line)) {
        return Promise.reject(new AppError('INTERNAL', 'display line too long or not printable ASCII', { line }));
      }
      if (closed) return Promise.reject(new AppError('INTERNAL', `serial port ${path} is closed`));
      return new Promise((resolve, reject) => {
        port.write(`${line}\n`, 'latin1', (err) => (err ? reject(err) : resolve()));
      });
    },
    onLine(fn) {
      lineListeners.push(fn);
    },
    onClose(fn) {
      closeListeners.push(fn);
    },
    async close(): Promise<void> {
      if (closed) return;
      closing = true;
      await new Promise<void>((resolve) => {
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      });
      finish();
    },
  };
}
