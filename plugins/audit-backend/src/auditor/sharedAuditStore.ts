import { RootConfigService } from '@backstage/backend-plugin-api';
import { AuditStore } from '@opsdeck/plugin-audit-node';

// The auditor's root context opens the audit database once per backend. The
// audit plugin reads through the same store when it is there, so both use one
// connection pool, run migrations once, and see the same rows even with an
// in-memory SQLite database. Keyed by the backend's root config instance.
const stores = new WeakMap<RootConfigService, Promise<AuditStore>>();

/** Records the audit store opened by the auditor for this backend. */
export function setSharedAuditStore(
  config: RootConfigService,
  store: Promise<AuditStore>,
): void {
  stores.set(config, store);
}

/** The audit store the auditor opened for this backend, if it did. */
export function getSharedAuditStore(
  config: RootConfigService,
): Promise<AuditStore> | undefined {
  return stores.get(config);
}
