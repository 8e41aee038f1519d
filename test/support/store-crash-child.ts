/**
 * Crash-test writer (test/store/crash.test.ts): opens the store on argv[2] and performs
 * acknowledged writes in a loop until it is killed. After each write resolves it prints
 * `ACK <id> <sha256>`: from then on that record, its blob and its audit entry must survive.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Store } from '../../src/store/index.js';

interface Doc {
  id: string;
  blob: string;
  state: string;
}

const stateDir = process.argv[2];
if (!stateDir) throw new Error('usage: store-crash-child <stateDir>');

// A small checkpoint threshold so kills also land inside checkpoints and journal resets.
const store = await Store.open({ stateDir, reserveBytes: 0, checkpointBytes: 4 * 1024 });
process.stdout.write('READY\n');
const tag = `${process.pid}-${randomBytes(3).toString('hex')}`;
for (let i = 0; ; i++) {
  const id = `${tag}-${i}`;
  // Content derived from the id, so the parent can tell a blob is complete and right.
  const body = Buffer.concat([Buffer.from(id + '\n'), randomBytes(512 + ((i * 7919) % 16384))]);
  const ref = await store.blobs.put(body);
  await store.transaction((tx) => {
    tx.collection<Doc>('outgoing').insert({ id, blob: ref.sha256, state: 'queued' });
    tx.collection<{ id: string; doc: string }>('outbox').put({ id: `ob-${id}`, doc: id });
    // Finish an earlier document now and then: exercises update + archive in the same commit.
    if (i >= 3 && i % 3 === 0) {
      const old = `${tag}-${i - 3}`;
      tx.collection<Doc>('outgoing').update(old, (d) => ({ ...d, state: 'done' }));
      tx.collection<Doc>('outgoing').archive(old);
      tx.collection('outbox').delete(`ob-${old}`);
    }
    tx.audit({ event: 'document.queued', subject: id, data: { sha256: ref.sha256, size: ref.size } });
  });
  process.stdout.write(`ACK ${id} ${createHash('sha256').update(body).digest('hex')}\n`);
}
