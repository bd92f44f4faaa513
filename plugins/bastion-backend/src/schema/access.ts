import {
  bastionCommandReviewPermission,
  bastionGrantManagePermission,
  bastionGrantReadPermission,
  bastionMfaResetPermission,
  bastionSessionManagePermission,
  bastionSessionOpenPermission,
} from '@opsdeck/plugin-opsdeck-common';
import type { OperationAccess } from '@opsdeck/plugin-opsdeck-node';
import type { spec } from './openapi.generated';

const user = (permission: typeof bastionSessionOpenPermission) => ({
  permission,
  allow: ['user' as const],
});
const ownRecords = {
  authenticate: ['user' as const],
  reason:
    'everyone sees their own sessions and commands; opsdeck.bastion.session.read widens it to all (checked by the router)',
};

/** Who may call each operation; checked before the request is validated. */
export const access: OperationAccess<typeof spec> = {
  'GET /grants': bastionGrantReadPermission,
  'GET /my-grants': user(bastionSessionOpenPermission),
  'GET /my-assets': user(bastionSessionOpenPermission),
  'POST /grants': bastionGrantManagePermission,
  'DELETE /grants/{id}': bastionGrantManagePermission,
  'GET /hosts/{name}/access': user(bastionSessionOpenPermission),
  'GET /rules': user(bastionGrantReadPermission),
  'POST /rules': user(bastionGrantManagePermission),
  'DELETE /rules/{id}': user(bastionGrantManagePermission),
  'GET /sessions': ownRecords,
  'GET /sessions/live': user(bastionSessionManagePermission),
  'GET /sessions/{id}': ownRecords,
  'GET /sessions/{id}/recording': ownRecords,
  'POST /sessions/{id}/terminate': user(bastionSessionManagePermission),
  'GET /sessions/{id}/files': user(bastionSessionOpenPermission),
  'PUT /sessions/{id}/files': user(bastionSessionOpenPermission),
  'GET /sessions/{id}/execs': ownRecords,
  'GET /reviews': user(bastionCommandReviewPermission),
  'POST /reviews/{id}/{decision}': user(bastionCommandReviewPermission),
  'GET /commands': ownRecords,
  'GET /mfa': user(bastionSessionOpenPermission),
  'POST /mfa/enrol': user(bastionSessionOpenPermission),
  'POST /mfa/reset': user(bastionSessionOpenPermission),
  'POST /mfa/admin-reset': user(bastionMfaResetPermission),
  'POST /mfa/verify': user(bastionSessionOpenPermission),
};
