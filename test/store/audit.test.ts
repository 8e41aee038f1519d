import t from 'tap';
import fc from 'fast-check';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { auditPath, formatAuditVerify, verifyAudit, GENESIS_HASH, hashAuditEntry, type AuditEntry } from '../../src/store/index.js';
import { openStore, tempStateDir } from '../support/store.js';

const N = 12;

/** A closed state directory holding N audit entries; returns the log's bytes. */
async function makeLog(dir: string): Promise<Buffer> {
  const store = await openStore(dir);
  for (let i = 1; i <= N; i++) {
    await store.audit({ event: i % 2 ? 'document.signed' : 'outgoing.sent', actor: 'clerk', subject: `doc-${i}`, data: { size: i * 1000, note: 'Tiên Lương' } });
  }
  await store.close();
  return readFile(auditPath(dir));
}

function lines(buf: Buffer): string[] {
  return buf.toString('utf8').split('\n').slice(0, -1);
}

t.test('an intact log verifies; entries chain from the genesis hash', async (t) => {
  const dir = await tempStateDir(t);
  const log = await makeLog(dir);
  const r = await verifyAudit(dir);
  t.match(r, { ok: true, entries: N, warnings: [] });
  const entries = lines(log).map((l) => JSON.parse(l) as AuditEntry);
  t.equal(entries[0]!.prev, GENESIS_HASH);
  t.equal(entries[0]!.seq, 1);
  for (const e of entries) t.equal(hashAuditEntry(e), e.hash);
  t.match(formatAuditVerify(r), /^audit chain OK: 12 entries/);
});

t.test('changing any single byte is detected at the entry that holds it', async (t) => {
  const dir = await tempStateDir(t);
  const original = await makeLog(dir);
  // Line number (1-based) of each byte; a line's '\n' belongs to that line.
  const lineOf: number[] = [];
  let ln = 1;
  for (const b of original) {
    lineOf.push(ln);
    if (b === 0x0a) ln++;
  }
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: original.length - 1 }), fc.integer({ min: 1, max: 255 }), async (pos, delta) => {
      const tampered = Buffer.from(original);
      tampered[pos] = (tampered[pos]! + delta) % 256;
      await writeFile(auditPath(dir), tampered);
      const r = await verifyAudit(dir);
      if (r.ok) return false;
      return r.broken.line === lineOf[pos] && r.broken.seq === lineOf[pos];
    }),
    { numRuns: 150 },
  );
  await writeFile(auditPath(dir), original);
  t.match(await verifyAudit(dir), { ok: true });
});

t.test('a removed entry is detected', async (t) => {
  const dir = await tempStateDir(t);
  const l = lines(await makeLog(dir));
  await writeFile(auditPath(dir), [...l.slice(0, 4), ...l.slice(5)].join('\n') + '\n');
  const r = await verifyAudit(dir);
  t.match(r, { ok: false, entries: 4, broken: { seq: 5, line: 5, reason: /sequence number 6/ } });
  t.match(formatAuditVerify(r), /BROKEN at entry seq 5 \(line 5\)/);
});

t.test('two swapped entries are detected', async (t) => {
  const dir = await tempStateDir(t);
  const l = lines(await makeLog(dir));
  [l[6], l[7]] = [l[7]!, l[6]!];
  await writeFile(auditPath(dir), l.join('\n') + '\n');
  t.match(await verifyAudit(dir), { ok: false, broken: { seq: 7, line: 7 } });
});

t.test('an entry rewritten with a valid hash is still caught by the chain', async (t) => {
  const dir = await tempStateDir(t);
  const l = lines(await makeLog(dir));
  const e = JSON.parse(l[2]!) as AuditEntry;
  e.actor = 'someone-else';
  e.hash = hashAuditEntry(e);
  l[2] = JSON.stringify(e);
  await writeFile(auditPath(dir), l.join('\n') + '\n');
  t.match(await verifyAudit(dir), { ok: false, broken: { seq: 4, line: 4, reason: /prev/ } });
});

t.test('a truncated tail (whole entries removed) is detected against the store head', async (t) => {
  const dir = await tempStateDir(t);
  const l = lines(await makeLog(dir));
  await writeFile(auditPath(dir), l.slice(0, 9).join('\n') + '\n');
  t.match(await verifyAudit(dir), { ok: false, entries: 9, broken: { seq: 10, line: 10, reason: /truncated tail/ } });
  // Cut mid-line as well.
  await writeFile(auditPath(dir), l.join('\n').slice(0, -20));
  t.match(await verifyAudit(dir), { ok: false, broken: { seq: 12, line: 12, reason: /incomplete/ } });
  // And the store refuses to start on a truncated log rather than continuing a shortened chain.
  await writeFile(auditPath(dir), l.slice(0, 9).join('\n') + '\n');
  await t.rejects(openStore(dir), { code: 'INTERNAL', message: /truncated/ });
});

t.test('an interrupted append (partial last line) does not block start-up and is dropped', async (t) => {
  const dir = await tempStateDir(t);
  await makeLog(dir);
  await appendFile(auditPath(dir), '{"seq":13,"at":"2026-');
  const before = await verifyAudit(dir);
  t.match(before, { ok: true, entries: N, warnings: [/incomplete/] });
  const store = await openStore(dir);
  const e = await store.audit({ event: 'after.crash' });
  t.equal(e.seq, N + 1);
  await store.close();
  t.match(await verifyAudit(dir), { ok: true, entries: N + 1, warnings: [] });
});
