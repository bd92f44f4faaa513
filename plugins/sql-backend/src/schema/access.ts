import {
  sqlChangeApprovePermission,
  sqlChangeCreatePermission,
  sqlChangeExecutePermission,
  sqlInstanceExceptionPermission,
  sqlInstanceReadPermission,
  sqlQueryLogReadPermission,
  sqlQueryPermission,
  sqlReviewPermission,
  sqlSlowQueryReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import type { OperationAccess } from '@opsdeck/plugin-opsdeck-node';
import type { spec } from './openapi.generated';

type SqlPermission = typeof sqlQueryPermission;

/** A 403 that says what was refused, in the words the console shows. */
const rule = (permission: SqlPermission, what: string) => ({
  permission,
  message: `You are not allowed to ${what}`,
});

/** Changes and queries are always a person's. */
const user = (permission: SqlPermission, what: string) => ({
  ...rule(permission, what),
  allow: ['user' as const],
});

/** Who may call each operation; checked before the request is validated. */
export const access: OperationAccess<typeof spec> = {
  'GET /rules': rule(sqlInstanceReadPermission, 'read SQL review rules'),
  'GET /instances': rule(sqlInstanceReadPermission, 'read database instances'),
  // read-like POSTs: they change nothing
  'POST /instances/check': rule(
    sqlInstanceReadPermission,
    'read database instances',
  ),
  // an admin's audited decision: the console may use a privileged read login
  'PUT /instances/exception': user(
    sqlInstanceExceptionPermission,
    'set the read-login exception of an instance',
  ),
  'DELETE /instances/exception': user(
    sqlInstanceExceptionPermission,
    'set the read-login exception of an instance',
  ),
  // reviewing asks the live instance (EXPLAIN, catalog): not a read
  'POST /review': user(sqlReviewPermission, 'review SQL'),
  'GET /changes': rule(sqlInstanceReadPermission, 'read SQL changes'),
  'POST /changes': user(sqlChangeCreatePermission, 'submit SQL changes'),
  'GET /changes/{id}': rule(sqlInstanceReadPermission, 'read SQL changes'),
  'POST /changes/{id}/decision': user(
    sqlChangeApprovePermission,
    'approve SQL changes',
  ),
  'POST /changes/{id}/execute': user(
    sqlChangeExecutePermission,
    'execute SQL changes',
  ),
  'POST /changes/{id}/unschedule': user(
    sqlChangeExecutePermission,
    'execute SQL changes',
  ),
  'POST /changes/{id}/rollback': user(
    sqlChangeExecutePermission,
    'roll back SQL changes',
  ),
  'POST /query': user(sqlQueryPermission, 'query databases'),
  'POST /query/export': user(sqlQueryPermission, 'query databases'),
  'GET /query-log': rule(sqlQueryLogReadPermission, 'read the query log'),
  'GET /slow-queries': rule(sqlSlowQueryReadPermission, 'read slow queries'),
  'GET /slow-queries/history': rule(
    sqlSlowQueryReadPermission,
    'read slow queries',
  ),
  'POST /slow-queries/refresh': rule(
    sqlSlowQueryReadPermission,
    'refresh slow queries',
  ),
};
