import { createReadStream } from 'node:fs';
import path from 'node:path';
import { GENESIS_HASH, auditPath, hashAuditEntry, type AuditEntry, type AuditHead } from './audit.js';
import { readJournal } from './journal.js';
import { DB_DIR, readCheckpoint } from './layout.js';

/** The first problem found in the chain. `seq` is the sequence number expected at that line. */
export interface AuditBreak {
  seq: number;
  /** 1-based line number in audit/audit.jsonl. */
  line: number;
  reason: string;
}

export type AuditVerifyResult =
  | { ok: true; entries: number; head: AuditHead; warnings: string[] }
  | { ok: false; entries: number; broken: AuditBreak; warnings: string[] };

/**
 * Checks the audit chain of a state directory without the store (the service may be running; the
 * log is append-only, so reading it is safe). Every line must parse, carry the next seq, point at
 * the previous entry's hash and hash to its own `hash`: a changed byte, a removed or a swapped
 * entry breaks one of these. A truncated tail cannot be seen from the log alone, so the log's end
 * is compared with the head the store recorded at its last checkpoint and in its journal.
 * `entries` counts the entries verified before the break.
 */
export async function verifyAudit(stateDir: string): Promise<AuditVerifyResult> {
  const warnings: string[] = [];
  let head: AuditHead = { seq: 0, hash: GENESIS_HASH };
  let line = 0;
  const { anchors, inJournal } = await recordedHeads(stateDir);
  const fail = (reason: string, at = line): AuditVerifyResult => ({ ok: false, entries: head.seq, broken: { seq: head.seq + 1, line: at, reason }, warnings });

  let rest = '';
  const check = (text: string): string | null => {
    line++;
    let e: AuditEntry;
    try {
      e = JSON.parse(text) as AuditEntry;
    } catch {
      return 'line is not valid JSON';
    }
    if (typeof e !== 'object' || e === null || typeof e.hash !== 'string') return 'entry has no hash';
    if (e.seq !== head.seq + 1) return `sequence number ${String(e.seq)} where ${head.seq + 1} was expected (entry removed, inserted or moved)`;
    if (e.prev !== head.hash) return 'prev does not match the hash of the entry before it (entry removed or moved)';
    if (hashAuditEntry(e) !== e.hash) return 'hash does not match the entry content (entry altered)';
    const anchored = anchors.get(e.seq);
    if (anchored !== undefined && anchored !== e.hash) return 'entry differs from the copy the store recorded (entry replaced)';
    head = { seq: e.seq, hash: e.hash };
    return null;
  };

  try {
    for await (const chunk of createReadStream(auditPath(stateDir), { encoding: 'utf8' })) {
      const parts = (rest + (chunk as string)).split('\n');
      rest = parts.pop()!;
      for (const text of parts) {
        const reason = check(text);
        if (reason) return fail(reason);
      }
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    warnings.push('no audit log yet');
  }

  const expected = Math.max(0, ...anchors.keys());
  if (rest !== '') {
    // An unterminated last line is an append interrupted by a crash: harmless (never
    // acknowledged, dropped on the next start) unless the store recorded that entry as committed.
    if (expected > head.seq && !pendingInJournal(inJournal, head, expected)) return fail('truncated: the last line is incomplete', line + 1);
    warnings.push(`last line is incomplete (${rest.length} bytes): an interrupted append, removed when the service next starts`);
  }
  if (expected > head.seq) {
    if (!pendingInJournal(inJournal, head, expected)) {
      return fail(`truncated tail: the log ends at seq ${head.seq} but the store recorded seq ${expected}`, line + 1);
    }
    warnings.push(`entries ${head.seq + 1}–${expected} are committed in the store journal and not yet in the log`);
  }
  return { ok: true, entries: head.seq, head, warnings };
}

/** One line per fact, for `edoc-gateway audit verify`. */
export function formatAuditVerify(r: AuditVerifyResult): string {
  const lines = r.ok
    ? [`audit chain OK: ${r.entries} entries, head ${r.head.hash}`]
    : [`audit chain BROKEN at entry seq ${r.broken.seq} (line ${r.broken.line}): ${r.broken.reason}`, `${r.entries} entries verified before it`];
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

/** seq → hash the store holds independently: the checkpoint head and the journal's entries. */
async function recordedHeads(stateDir: string): Promise<{ anchors: Map<number, string>; inJournal: Set<number> }> {
  const anchors = new Map<number, string>();
  const inJournal = new Set<number>();
  const cp = await readCheckpoint(stateDir);
  if (cp && cp.audit.seq > 0) anchors.set(cp.audit.seq, cp.audit.hash);
  for (const rec of await readJournal(path.join(stateDir, DB_DIR))) {
    for (const e of rec.audit) {
      anchors.set(e.seq, e.hash);
      inJournal.add(e.seq);
    }
  }
  return { anchors, inJournal };
}

/** True when every entry after `head` up to `expected` is in the journal (replayed at start). */
function pendingInJournal(inJournal: Set<number>, head: AuditHead, expected: number): boolean {
  for (let s = head.seq + 1; s <= expected; s++) if (!inJournal.has(s)) return false;
  return true;
}
