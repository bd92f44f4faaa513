import { Knex } from 'knex';
import { DatabaseAuditStore } from '../DatabaseAuditStore';
import { applyAuditMigrations } from '../migrations';

/**
 * Creates the `audit_events` table in a test database (the audit migrations,
 * as the audit plugin applies them) and returns the store that writes rows
 * the way opsdeck's auditor does, for tests that seed the audit log.
 */
export async function createTestAuditStore(
  knex: Knex,
): Promise<DatabaseAuditStore> {
  await applyAuditMigrations(knex);
  return new DatabaseAuditStore(knex);
}
