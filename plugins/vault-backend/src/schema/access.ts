import {
  vaultCredentialManagePermission,
  vaultCredentialReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import type { OperationAccess } from '@opsdeck/plugin-opsdeck-node';
import type { spec } from './openapi.generated';

const read = {
  permission: vaultCredentialReadPermission,
  message: 'You are not allowed to read the credentials vault',
};
const manage = {
  permission: vaultCredentialManagePermission,
  message: 'Only admins can manage credentials',
};

/** Who may call each operation; checked before the request is validated. */
export const access: OperationAccess<typeof spec> = {
  'GET /credentials': read,
  'POST /credentials': manage,
  'GET /credentials/{name}': read,
  'PATCH /credentials/{name}': manage,
  'DELETE /credentials/{name}': manage,
  'PUT /credentials/{name}/secret': manage,
  'PUT /credentials/{name}/policy': manage,
  'POST /rotate': manage,
};
