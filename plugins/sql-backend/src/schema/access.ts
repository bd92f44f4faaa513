import {
  sqlChangeApprovePermission,
  sqlChangeCreatePermission,
  sqlChangeExecutePermission,
  sqlInstanceReadPermission,
  sqlQueryLogReadPermission,
  sqlQueryPermission,
  sqlSlowQueryReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import type { OperationAccess } from '@opsdeck/plugin-opsdeck-node';
import type { spec } from './openapi.generated';

/** Changes and queries are always a person's. */
const user = (permission: typeof sqlQueryPermission) => ({
  permission,
  allow: ['user' as const],
});

/** Who may call each operation; checked before the request is validated. */
export const access: OperationAccess<typeof spec> = {
  'GET /rules': sqlInstanceReadPermission,
  'GET /instances': sqlInstanceReadPermission,
  // read-like POSTs: they change nothing
  'POST /instances/check': sqlInstanceReadPermission,
  'POST /review': sqlInstanceReadPermission,
  'GET /changes': sqlInstanceReadPermission,
  'POST /changes': user(sqlChangeCreatePermission),
  'GET /changes/{id}': sqlInstanceReadPermission,
  'POST /changes/{id}/decision': user(sqlChangeApprovePermission),
  'POST /changes/{id}/execute': user(sqlChangeExecutePermission),
  'POST /changes/{id}/unschedule': user(sqlChangeExecutePermission),
  'POST /changes/{id}/rollback': user(sqlChangeExecutePermission),
  'POST /query': user(sqlQueryPermission),
  'POST /query/export': user(sqlQueryPermission),
  'GET /query-log': sqlQueryLogReadPermission,
  'GET /slow-queries': sqlSlowQueryReadPermission,
  'GET /slow-queries/history': sqlSlowQueryReadPermission,
  'POST /slow-queries/refresh': sqlSlowQueryReadPermission,
};
