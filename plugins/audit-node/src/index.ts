/**
 * The audit log for other backend plugins (read-only, in bulk).
 *
 * @packageDocumentation
 */
export type { AuditLogService, AuditScanQuery } from './AuditLogService';
export { DatabaseAuditLog } from './DatabaseAuditLog';
export { auditLogServiceRef } from './auditLogServiceRef';
