import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { FILE_CONTENT_TYPE, FILE_PART } from './protocol.js';

/**
 * The `sendEdoc` body: one multipart/form-data part `file_doc` streamed from the package file.
 * The length is known up front (preamble + file + epilogue), so no chunked encoding and no copy
 * of the package in memory.
 */
export interface MultipartBody {
  contentType: string;
  length: number;
  stream: () => Readable;
}

export function multipartFromFile(path: string, size: number, filename: string): MultipartBody {
  return build(size, filename, () => createReadStream(path, { highWaterMark: 64 * 1024 }));
}

export function multipartFromBytes(bytes: Uint8Array, filename: string): MultipartBody {
  return build(bytes.byteLength, filename, () => Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]));
}

function build(size: number, filename: string, file: () => Readable): MultipartBody {
  const boundary = `----edoc-gateway-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="${FILE_PART}"; filename="${filename.replace(/["\r\n]/g, '_')}"\r\n` +
      `Content-Type: ${FILE_CONTENT_TYPE}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: head.length + size + tail.length,
    stream: () =>
      Readable.from(
        (async function* () {
          yield head;
          for await (const c of file()) yield c as Buffer;
          yield tail;
        })(),
      ),
  };
}
