import {
  configEditPermission,
  configPushPermission,
  configReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import type { OperationAccess } from '@opsdeck/plugin-opsdeck-node';
import type { spec } from './openapi.generated';

const people = ['user' as const];
const read = { permission: configReadPermission, allow: people };
const edit = { permission: configEditPermission, allow: people };
const push = { permission: configPushPermission, allow: people };

/**
 * Who may call each operation; checked before the request is validated.
 * Config is changed by people only: every version and release names its
 * author. Pushing to prod hosts also needs config.push.prod (checked by the
 * service on the resolved hosts).
 */
export const access: OperationAccess<typeof spec> = {
  'GET /sets': read,
  'POST /sets': edit,
  'GET /sets/{id}': read,
  'PUT /sets/{id}': edit,
  'GET /sets/{id}/versions': read,
  'POST /sets/{id}/versions': edit,
  'GET /sets/{id}/versions/{version}': read,
  // these two log in to the hosts and show live files: editors only
  'GET /sets/{id}/versions/{version}/preview': edit,
  'GET /sets/{id}/diff': read,
  'GET /sets/{id}/releases': read,
  'POST /sets/{id}/releases': push,
  'POST /sets/{id}/rollback': push,
  'GET /sets/{id}/drift': edit,
  'POST /sets/{id}/adopt': push,
  'GET /releases/{id}': read,
  // going on with (or stopping) a paused release: who may push (prod re-checked)
  'POST /releases/{id}/continue': push,
  'POST /releases/{id}/abort': push,
  'POST /releases/{id}/reload': push,
};
