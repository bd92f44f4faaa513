import { auditEventReadPermission } from '@opsdeck/plugin-opsdeck-common';
import type { OperationAccess } from '@opsdeck/plugin-opsdeck-node';
import type { spec } from './openapi.generated';

/** Who may call each operation; checked before the request is validated. */
export const access: OperationAccess<typeof spec> = {
  'GET /events': auditEventReadPermission,
  'GET /events/export.csv': auditEventReadPermission,
  'GET /events/{id}': auditEventReadPermission,
  'GET /facets': auditEventReadPermission,
};
