import type { SqlChange } from '../database/SqlStore';

/** A pending change with defaults, for store and service tests. */
export function newChange(
  id: string,
  overrides: Partial<SqlChange> = {},
): SqlChange {
  return {
    id,
    instanceRef: 'resource:default/pay-db-main',
    database: 'payments',
    title: 'fix balances',
    sql: 'UPDATE t SET a = 1 WHERE id = 1',
    submitter: 'user:default/frank',
    status: 'pending',
    review: { statements: [], findings: [], errors: 0, warnings: 0 },
    approverGroups: ['group:default/dba'],
    approvals: [],
    createdAt: '',
    updatedAt: '',
    ...overrides,
  };
}
