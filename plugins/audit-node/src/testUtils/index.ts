/**
 * Test kit of the audit log: `@opsdeck/plugin-audit-node/testUtils`.
 *
 * @packageDocumentation
 */
export { createTestAuditStore } from './createTestAuditStore';
