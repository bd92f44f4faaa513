import {
  registryReadPermission,
  registryTagDeletePermission,
} from '@opsdeck/plugin-opsdeck-common';
import type { OperationAccess } from '@opsdeck/plugin-opsdeck-node';
import type { spec } from './openapi.generated';

const people = ['user' as const];
const read = { permission: registryReadPermission, allow: people };

/**
 * Who may call each operation; checked before the request is validated.
 * Registries are browsed by people (the resource is then read from the
 * catalog with their credentials, and the vault checks the registry's
 * credential against the resource and the person); deleting a tag is its
 * own permission and is audited with the person as actor. A retention dry
 * run only reads.
 */
export const access: OperationAccess<typeof spec> = {
  'GET /registries': read,
  'GET /registries/{namespace}/{name}/repositories': read,
  'GET /registries/{namespace}/{name}/tags': read,
  'GET /registries/{namespace}/{name}/recent-tags': read,
  'GET /registries/{namespace}/{name}/manifest': read,
  'POST /registries/{namespace}/{name}/tags/delete': {
    permission: registryTagDeletePermission,
    allow: people,
  },
  'POST /registries/{namespace}/{name}/retention/dry-run': read,
  'POST /registries/{namespace}/{name}/retention/apply': {
    permission: registryTagDeletePermission,
    allow: people,
  },
  'POST /running/report': {
    authenticate: ['service'],
    reason:
      'reporters are plugins (their own token, no person); the handler binds each source kind to one plugin',
  },
};
