import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { backupStore, restoreBackup, verifyAudit } from '../../src/store/index.js';
import { openStore, tempStateDir } from '../support/store.js';

const run = promisify(execFile);

interface Doc {
  id: string;
  blob: string;
  state: string;
}

t.test('a backup taken while writes continue restores to a consistent, verifiable state', async (t) => {
  const src = await tempStateDir(t);
  const work = await tempStateDir(t);
  const store = await openStore(src);
  const docs = store.collection<Doc>('outgoing');
  for (let i = 0; i < 12; i++) {
    const ref = await store.blobs.put(Buffer.from(`document ${i}`));
    await docs.insert({ id: `d${i}`, blob: ref.sha256, state: 'sent' }, { audit: { event: 'document.signed', subject: `d${i}` } });
  }
  for (let i = 0; i < 4; i++) await docs.archive(`d${i}`, { audit: { event: 'outgoing.archived', subject: `d${i}` } });

  // Writers keep going during the backup; the snapshot must still be one consistent point.
  const out = path.join(work, 'state.tar.gz');
  const writers = Promise.all(Array.from({ length: 10 }, (_, i) => docs.insert({ id: `late${i}`, blob: '', state: 'queued' }, { audit: { event: 'x', subject: `late${i}` } })));
  const summary = await backupStore(store, out);
  await writers;
  const headAtEnd = store.auditHead;
  await store.close();

  t.ok(summary.blobs >= 12);
  // Standard tools can read the format.
  const { stdout } = await run('tar', ['-tzf', out]);
  const names = stdout.trim().split('\n');
  t.equal(names[0], 'MANIFEST.json');
  t.ok(names.includes('audit/audit.jsonl'));
  t.ok(names.some((n) => /^archive\/outgoing\/\d{4}-\d{2}\.jsonl$/.test(n)));
  t.notOk(names.some((n) => n.includes('LOCK') || n.includes('journal')), 'no lock or journal in a backup');

  const into = path.join(work, 'restored');
  const r = await restoreBackup(out, into);
  t.same(r.auditHead, summary.auditHead);
  t.ok(summary.auditHead.seq <= headAtEnd.seq);
  t.match(await verifyAudit(into), { ok: true, entries: summary.auditHead.seq });

  const restored = await openStore(into);
  t.teardown(() => restored.close());
  const rdocs = restored.collection<Doc>('outgoing');
  const d1 = await rdocs.get('d1');
  t.same(d1?.state, 'sent', 'archived record restored');
  const d7 = await rdocs.get('d7');
  t.same((await restored.blobs.read(d7!.blob)).toString(), 'document 7', 'blob restored');
  // Consistency: a late record is in the backup exactly when its audit entry is.
  const lateIn = (await rdocs.list((d) => d.id.startsWith('late'))).length;
  t.equal(restored.auditHead.seq, 16 + lateIn, 'records and audit entries were captured at the same instant');
});

t.test('restore refuses a non-empty or locked target and a tampered archive', async (t) => {
  const src = await tempStateDir(t);
  const work = await tempStateDir(t);
  const store = await openStore(src);
  await store.collection('users').insert({ id: 'u1' }, { audit: { event: 'user.added', subject: 'u1' } });
  const out = path.join(work, 'b.tar.gz');
  await backupStore(store, out);

  await t.rejects(restoreBackup(out, src), { code: 'STATE_LOCKED' }, 'a running service owns it');
  await store.close();
  await t.rejects(restoreBackup(out, src), { code: 'CONFLICT' }, 'not empty');

  const empty = path.join(work, 'empty');
  await mkdir(empty);
  await restoreBackup(out, empty);
  t.ok((await readdir(empty)).includes('db'));

  // A tar with a path outside the target is refused and leaves the target empty.
  const evil = path.join(work, 'evil');
  await mkdir(path.join(evil, 'x'), { recursive: true });
  await writeFile(path.join(evil, 'MANIFEST.json'), '{"format":"edoc-gateway-backup","version":1}');
  await writeFile(path.join(evil, 'x', 'passwd'), 'root::0:0');
  await run('tar', ['-czf', path.join(work, 'evil.tar.gz'), '-C', evil, 'MANIFEST.json', 'x/../x/passwd']);
  const target = path.join(work, 'target');
  await t.rejects(restoreBackup(path.join(work, 'evil.tar.gz'), target), { code: 'BAD_REQUEST' });
  t.same(await readdir(target), []);
});
