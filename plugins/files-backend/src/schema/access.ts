import {
  filesDistributePermission,
  filesFileDeletePermission,
  filesFileReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import type { OperationAccess } from '@opsdeck/plugin-opsdeck-node';
import type { spec } from './openapi.generated';

/**
 * Who may call each operation; checked before the request is validated.
 * Uploads (/uploads, tus) are outside the spec and check upload permission
 * and ownership themselves.
 */
export const access: OperationAccess<typeof spec> = {
  'GET /files': filesFileReadPermission,
  'GET /files/{id}': filesFileReadPermission,
  'DELETE /files/{id}': filesFileDeletePermission,
  'GET /files/{id}/content': filesFileReadPermission,
  'GET /distributions': filesFileReadPermission,
  'POST /distributions': filesDistributePermission,
  'GET /distributions/{id}': filesFileReadPermission,
  'POST /distributions/{id}/retry': filesDistributePermission,
};
