import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { BlobStore } from '../../src/store/index.js';
import { tempStateDir } from '../support/store.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

t.test('put a buffer: content-addressed path, readable back, deduplicated', async (t) => {
  const dir = await tempStateDir(t);
  const blobs = await BlobStore.open(path.join(dir, 'blobs'));
  const data = Buffer.from('%PDF-1.7 hello');
  const ref = await blobs.put(data);
  t.same(ref, { sha256: sha(data), size: data.length });
  t.equal(blobs.path(ref.sha256), path.join(dir, 'blobs', ref.sha256.slice(0, 2), ref.sha256.slice(2)));
  t.equal(await blobs.has(ref.sha256), true);
  t.equal(await blobs.size(ref.sha256), data.length);
  t.same(await blobs.read(ref.sha256), data);
  t.same(await blobs.put(Buffer.from(data)), ref, 'same content, same ref');
  const listed: string[] = [];
  for await (const s of blobs.list()) listed.push(s);
  t.same(listed, [ref.sha256]);
  t.same(await readdir(path.join(dir, 'blobs', 'tmp')), [], 'no temp files left');
});

t.test('put a stream of many chunks without buffering it whole', async (t) => {
  const dir = await tempStateDir(t);
  const blobs = await BlobStore.open(path.join(dir, 'blobs'));
  const chunks = Array.from({ length: 64 }, () => randomBytes(64 * 1024));
  const whole = Buffer.concat(chunks);
  const ref = await blobs.put(Readable.from(chunks));
  t.same(ref, { sha256: sha(whole), size: whole.length });
  const back: Buffer[] = [];
  for await (const c of await blobs.open(ref.sha256)) back.push(c as Buffer);
  t.equal(sha(Buffer.concat(back)), ref.sha256);
});

t.test('a failing source stream leaves no blob and no temp file', async (t) => {
  const dir = await tempStateDir(t);
  const blobs = await BlobStore.open(path.join(dir, 'blobs'));
  const failing = Readable.from(
    (async function* () {
      yield Buffer.from('part one');
      throw new Error('client went away');
    })(),
  );
  await t.rejects(blobs.put(failing), /client went away/);
  t.same(await readdir(path.join(dir, 'blobs', 'tmp')), []);
  t.same((await readdir(path.join(dir, 'blobs'))).sort(), ['tmp']);
});

t.test('delete, missing blobs and bad ids', async (t) => {
  const dir = await tempStateDir(t);
  const blobs = await BlobStore.open(path.join(dir, 'blobs'));
  const ref = await blobs.put(Buffer.from('recalled'));
  t.equal(await blobs.delete(ref.sha256), true);
  t.equal(await blobs.delete(ref.sha256), false);
  t.equal(await blobs.has(ref.sha256), false);
  await t.rejects(blobs.open(ref.sha256), { code: 'NOT_FOUND' });
  t.throws(() => blobs.path('../../etc/passwd'), { code: 'BAD_REQUEST' });
});

t.test('leftover upload temp files are removed on open', async (t) => {
  const dir = await tempStateDir(t);
  await BlobStore.open(path.join(dir, 'blobs'));
  await writeFile(path.join(dir, 'blobs', 'tmp', '123-abc.part'), 'half an upload');
  await BlobStore.open(path.join(dir, 'blobs'));
  t.same(await readdir(path.join(dir, 'blobs', 'tmp')), []);
});
