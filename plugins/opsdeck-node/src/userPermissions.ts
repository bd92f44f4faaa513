import { createServiceRef } from '@backstage/backend-plugin-api';
import type {
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';

/**
 * Permission decisions for a user who is not making the request: work that
 * runs on someone's behalf later (a schedule's tick runs as its owner) asks
 * whether that person still holds the right now. The answer is the
 * permission policy's, for the user's current catalog groups; a user who is
 * gone from the catalog is denied everything.
 */
export interface UserPermissionsService {
  authorizeUser(
    userEntityRef: string,
    requests: { permission: Permission; resourceRef?: string }[],
  ): Promise<PolicyDecision[]>;
}

/**
 * The {@link UserPermissionsService}; its factory comes with the permission
 * policy (`userPermissionsServiceFactory` of
 * `@opsdeck/plugin-permission-backend-module-opsdeck-policy`).
 */
export const userPermissionsServiceRef =
  createServiceRef<UserPermissionsService>({
    id: 'opsdeck.user-permissions',
  });
