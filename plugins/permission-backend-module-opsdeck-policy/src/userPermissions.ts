import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  userPermissionsServiceRef,
  type UserPermissionsService,
} from '@opsdeck/plugin-opsdeck-node';
import { OpsdeckPermissionPolicy } from './policy';

/** A user's ownership refs as sign-in gives them: the user and its groups. */
function ownershipRefs(user: Entity): string[] {
  const groups = (user.relations ?? [])
    .filter(
      r => r.type === RELATION_MEMBER_OF && r.targetRef.startsWith('group:'),
    )
    .map(r => r.targetRef);
  return [...new Set([stringifyEntityRef(user), ...groups])];
}

/**
 * The opsdeck policy's decisions for a user who is not the caller: their
 * ownership refs are read from the catalog now (the user ref and the groups
 * the user is a member of, as at sign-in), their roles follow from them, and
 * the same grants decide. A user missing from the catalog gets DENY.
 *
 * @public
 */
export const userPermissionsServiceFactory = createServiceFactory({
  service: userPermissionsServiceRef,
  deps: {
    config: coreServices.rootConfig,
    auth: coreServices.auth,
    userInfo: coreServices.userInfo,
    catalog: catalogServiceRef,
  },
  factory({ config, auth, userInfo, catalog }): UserPermissionsService {
    const policy = OpsdeckPermissionPolicy.fromConfig(config, { userInfo });
    return {
      async authorizeUser(userEntityRef, requests) {
        const user = await catalog.getEntityByRef(userEntityRef, {
          credentials: await auth.getOwnServiceCredentials(),
        });
        if (!user || user.kind.toLocaleLowerCase('en-US') !== 'user') {
          return requests.map(() => ({ result: AuthorizeResult.DENY }));
        }
        const roles = policy.rolesOf(ownershipRefs(user));
        return requests.map(r => policy.decide(r.permission, roles));
      },
    };
  },
});
