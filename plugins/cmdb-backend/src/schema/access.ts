import {
  cmdbHostCollectPermission,
  cmdbHostCreatePermission,
  cmdbHostDeletePermission,
  cmdbHostKeyAcceptPermission,
  cmdbHostKeyResetPermission,
  cmdbHostReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import type { OperationAccess } from '@opsdeck/plugin-opsdeck-node';
import type { spec } from './openapi.generated';

/** Who may call each operation; checked before the request is validated. */
export const access: OperationAccess<typeof spec> = {
  'GET /hosts': cmdbHostReadPermission,
  'POST /hosts': cmdbHostCreatePermission,
  // what each caller sees is the catalog's read decision, applied per host
  'POST /hosts/resolve': catalogEntityReadPermission,
  'GET /hosts/export.csv': cmdbHostReadPermission,
  'GET /hosts/{name}': cmdbHostReadPermission,
  'DELETE /hosts/{name}': cmdbHostDeletePermission,
  'POST /hosts/{name}/collect': cmdbHostCollectPermission,
  'POST /collect': cmdbHostCollectPermission,
  'GET /hosts/{name}/host-key': cmdbHostReadPermission,
  'DELETE /hosts/{name}/host-key': cmdbHostKeyResetPermission,
  'POST /hosts/{name}/host-key/accept': cmdbHostKeyAcceptPermission,
  'POST /hosts/{name}/host-key/reject': cmdbHostKeyAcceptPermission,
};
