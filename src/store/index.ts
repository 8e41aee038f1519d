/**
 * store/: durable state. Everything that changes state goes through a `Store` (one writer); see
 * layout.ts for the files in the state directory and store.ts for the commit protocol.
 */
export { Store, COLLECTIONS, type StoreOptions } from './store.js';
export { Collection, type ListOptions, type WriteOptions } from './collection.js';
export type { Tx, TxCollection, StoredRecord } from './transaction.js';
export { DurableFile } from './durable-file.js';
export { SerialQueue } from './serial-queue.js';
export { BlobStore, type BlobRef } from './blobs.js';
export { AuditLog, GENESIS_HASH, auditPath, chainAudit, hashAuditEntry, type AuditEntry, type AuditHead, type AuditInput } from './audit.js';
export { verifyAudit, formatAuditVerify, type AuditVerifyResult, type AuditBreak } from './audit-verify.js';
export { StateLock, liveLockHolder, LOCK_FILE, type LockHolder } from './lock.js';
export { FreeSpace, DEFAULT_RESERVE_BYTES, type FreeSpaceOptions } from './free-space.js';
export { isStorageFull, mapStorageError } from './fs-ops.js';
export { backupStore, restoreBackup, BACKUP_FORMAT, type BackupManifest, type BackupSummary, type RestoreSummary } from './backup.js';
export { canonicalJson } from './canonical-json.js';
