/**
 * The audit log's table and its access for backend plugins: the
 * `audit_events` migrations, the append-only store the auditor writes
 * (DatabaseAuditStore, one per backend through auditStoreServiceRef, shared by
 * the auditor and the audit plugin) and the bulk reader other
 * plugins get through auditLogServiceRef.
 *
 * @packageDocumentation
 */
export type { AuditLogService, AuditScanQuery } from './AuditLogService';
export { DatabaseAuditLog } from './DatabaseAuditLog';
export { auditLogServiceRef } from './auditLogServiceRef';
export {
  auditStoreServiceRef,
  type AuditStoreService,
} from './auditStoreServiceRef';
export {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type AuditStore,
  type NewAuditEvent,
} from './AuditStore';
export {
  DatabaseAuditStore,
  MAX_META_BYTES,
  serializeMeta,
} from './DatabaseAuditStore';
export { applyAuditMigrations } from './migrations';
